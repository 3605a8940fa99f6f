// Words and dates as residents read them: Chinese labels for the service's
// codes and times in Beijing time (Asia/Shanghai, UTC+8, no daylight saving).

const DECISIONS = { agree: '同意', disagree: '不同意', abstain: '弃权' }
const RELATIONS = [
  { value: 'owner', label: '业主' },
  { value: 'co_owner', label: '共有人' },
  { value: 'family', label: '家庭成员' },
  { value: 'tenant', label: '租户' }
]
const ROUND_STATUS = { draft: '未开始', open: '征询中', closed: '已结束（公示中）', final: '结果已生效', voided: '结果已作废' }
const RESULT_OBJECTION_STATUS = { open: '待答复', answered: '已答复' }
const RESULT_OBJECTION_OUTCOMES = { upheld: '异议成立，本轮结果作废', rejected: '异议不成立，结果维持' }
const OBJECTION_STATUS = { open: '待答复', answered: '已答复', closed: '已回访办结' }
const SURVEY_PURPOSES = { needs: '改造需求调查', satisfaction: '满意度调查', other: '问卷' }
const STAFF_ROLES = { admin: '管理员', worker: '社区工作人员', designer: '设计师', supervisor: '监督员' }
const RECORDED_BY = { me: '本人', household_member: '本户其他成员', staff: '社区工作人员代录' }
const CHANNELS = { online: '小程序', paper: '纸质签字', door: '入户', proxy: '委托代签' }
// The service's fixed objection categories (service/objections.go), in display order.
const CATEGORIES = [
  { value: 'elevator', label: '加装电梯' },
  { value: 'parking', label: '停车' },
  { value: 'greening', label: '绿化' },
  { value: 'drainage', label: '雨污排水' },
  { value: 'pipes', label: '水电气管网' },
  { value: 'facade', label: '外立面' },
  { value: 'safety', label: '安全' },
  { value: 'accessibility', label: '无障碍' },
  { value: 'cost', label: '费用分摊' },
  { value: 'construction', label: '施工' },
  { value: 'management', label: '物业管理' },
  { value: 'other', label: '其他' }
]

const pad = n => (n < 10 ? '0' + n : '' + n)

// beijingTime shows an RFC 3339 time as "2026年12月1日 18:00" in Beijing time.
function beijingTime (iso) {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (isNaN(t)) return ''
  const d = new Date(t + 8 * 3600 * 1000)
  return d.getUTCFullYear() + '年' + (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日 ' +
    pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes())
}

// asOf shows when public figures were taken as "截至 HH:MM" (Beijing time),
// with the date in front when it is not today in Beijing ("截至 11月30日 10:00").
function asOf (iso, now = Date.now()) {
  if (!iso) return ''
  const t = Date.parse(iso)
  if (isNaN(t)) return ''
  const d = new Date(t + 8 * 3600 * 1000)
  const today = new Date(now + 8 * 3600 * 1000)
  const clock = pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes())
  const sameDay = d.getUTCFullYear() === today.getUTCFullYear() && d.getUTCMonth() === today.getUTCMonth() &&
    d.getUTCDate() === today.getUTCDate()
  return '截至 ' + (sameDay ? '' : (d.getUTCMonth() + 1) + '月' + d.getUTCDate() + '日 ') + clock
}

// noticePeriod reads a public board round's notice period (公示期) into
// {endsAt (Beijing time), open (objections to the result still possible),
// final, voided, voidedExplanation, closeReason}, or null for an open round.
function noticePeriod (boardRound, now = Date.now()) {
  const np = boardRound && boardRound.notice_period
  if (!np) return null
  const ends = np.ends_at ? Date.parse(np.ends_at) : NaN
  return {
    endsAt: beijingTime(np.ends_at),
    open: !np.final && !np.voided && !isNaN(ends) && ends > now,
    final: !!np.final,
    voided: !!np.voided,
    voidedExplanation: np.voided_explanation || '',
    closeReason: np.close_reason || ''
  }
}

// shortfall says in words how far an open round is from passing, from the
// board's shortfall ({agree_households_needed, possible, changes_needed}).
function shortfall (s) {
  if (!s) return ''
  if (s.possible) {
    return s.agree_households_needed > 0 ? '按目前统计，还差 ' + s.agree_households_needed + ' 户同意即可通过。' : '按目前统计，已达到通过条件。'
  }
  if (typeof s.changes_needed === 'number') {
    return '即使尚未表态的各户全部同意也不够，还需要 ' + s.changes_needed + ' 户把不同意或弃权改为同意。'
  }
  return '按目前统计，本轮已不能通过。'
}

// address shows a household as "3栋2单元501室".
function address (h) {
  if (!h) return ''
  return (h.building ? h.building + '栋' : '') + (h.unit ? h.unit + '单元' : '') + (h.room ? h.room + '室' : '')
}

// normalizeReceipt turns what a resident typed into the receipt's form
// "ABCD-EFGH-IJKL-MNOP" (upper case, dashes every 4), or "" when it cannot be one.
function normalizeReceipt (text) {
  const plain = String(text || '').toUpperCase().replace(/[^A-Z2-7]/g, '')
  if (plain.length !== 16) return ''
  return plain.match(/.{4}/g).join('-')
}

// sceneCode reads the binding code from a mini-program code's scene
// (URL-encoded; "code=XXXX" or the code itself).
function sceneCode (scene) {
  if (!scene) return ''
  let s = String(scene)
  try { s = decodeURIComponent(s) } catch (e) {}
  const m = s.match(/(?:^|[?&])code=([^&]+)/)
  return (m ? m[1] : s).trim()
}

// noticeCode reads the estate code from a page's options: `code`, or `q`,
// the URL of a scanned notice QR code (…/notice/{code}).
function noticeCode (options) {
  if (options && options.code) return String(options.code)
  if (options && options.q) {
    let url = String(options.q)
    try { url = decodeURIComponent(url) } catch (e) {}
    const m = url.match(/\/notice\/([a-z0-9-]{3,32})(?:[/?#]|$)/)
    if (m) return m[1]
  }
  return ''
}

const label = (map, code) => map[code] || code || ''

// staffName shows who answered or visited ({role, display_name}) as "设计师 王工".
function staffName (person) {
  if (!person || typeof person !== 'object') return ''
  return [label(STAFF_ROLES, person.role), person.display_name].filter(Boolean).join(' ')
}

module.exports = {
  DECISIONS, RELATIONS, ROUND_STATUS, RESULT_OBJECTION_STATUS, RESULT_OBJECTION_OUTCOMES, OBJECTION_STATUS, SURVEY_PURPOSES, STAFF_ROLES, RECORDED_BY, CHANNELS, CATEGORIES,
  beijingTime, asOf, noticePeriod, shortfall, address, normalizeReceipt, sceneCode, noticeCode, label, staffName
}
