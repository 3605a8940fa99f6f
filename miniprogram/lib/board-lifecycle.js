// The public board's sections on the renovation around the vote, shaped for
// 小区公示: the stages (改造进度), the dated events (大事记), the site
// information (明白墙), joint acceptances (联合验收), the count of problem
// reports (随手拍) and the aggregates of closed surveys. Everything comes from
// GET /api/v1/public/estates/{code} as it is: no names but the masked ones
// of the signers, no texts of residents.
const format = require('./format.js')

const STAGE_STATUS = { pending: '未开始', in_progress: '进行中', done: '已完成' }
const EVENT_KINDS = { round_opened: '征询开始', round_closed: '征询结束', revision_published: '公布方案' }
const ACCEPTANCE_STATUS = { open: '有待整改项', closed: '验收完成' }

// beijingDate shows an RFC 3339 time as "2026年12月1日" (Beijing time).
function beijingDate (iso) {
  return format.beijingTime(iso).split(' ')[0]
}

function stageViews (stages) {
  return (stages || []).map(s => {
    let dates = ''
    if (s.started_at && s.finished_at) dates = beijingDate(s.started_at) + ' 至 ' + beijingDate(s.finished_at)
    else if (s.started_at) dates = beijingDate(s.started_at) + ' 开始'
    return { key: s.stage, label: s.label || s.stage, status: format.label(STAGE_STATUS, s.status), dates, note: s.note || '' }
  })
}

function eventViews (events) {
  return (events || []).map((e, i) => ({ key: i, at: beijingDate(e.at), what: format.label(EVENT_KINDS, e.kind), title: e.title || '' }))
}

function siteLines (site) {
  if (!site) return []
  const schedule = [site.starts_on, site.ends_on].filter(Boolean).join(' 至 ')
  const budget = site.budget_fen > 0 ? yuan(site.budget_fen) : ''
  return [['施工单位', site.builder], ['监理单位', site.supervising_unit], ['设计单位', site.designer_unit], ['工期', schedule],
    ['投资预算', budget], ['现场联系电话', site.contact_phone]].filter(l => l[1]).map(l => l[0] + '：' + l[1])
}

// yuan writes an amount in fen as "3,580,000.00 元".
function yuan (fen) {
  const whole = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const cents = String(fen % 100).padStart(2, '0')
  return whole + '.' + cents + ' 元'
}

function acceptanceViews (acceptances) {
  return (acceptances || []).map((a, i) => {
    const open = a.open_items || []
    return {
      key: i,
      heading: beijingDate(a.at) + ' 联合验收',
      status: format.label(ACCEPTANCE_STATUS, a.status),
      summary: '共 ' + a.items + ' 项：通过 ' + a.passed + ' 项，整改完成 ' + a.rectified + ' 项，待整改 ' + open.length + ' 项',
      openItems: open.map((it, k) => ({ key: k, text: [it.name, it.note].filter(Boolean).join('：') })),
      signers: (a.signers || []).length ? '签字：' + a.signers.map(s => [s.role_label, s.name].filter(Boolean).join(' ')).join('、') : ''
    }
  })
}

// reportsLine counts the problem reports in words ("" when there are none).
function reportsLine (r) {
  if (!r) return ''
  const n = k => (typeof r[k] === 'number' ? r[k] : 0)
  const total = n('reported') + n('assigned') + n('fixed') + n('confirmed')
  if (!total) return ''
  return '随手拍问题反映 ' + total + ' 件：待派单 ' + n('reported') + '，处理中 ' + n('assigned') + '，已处理待确认 ' + n('fixed') + '，居民已确认 ' + n('confirmed')
}

// figures says a closed survey question's result in words: the count of each
// option, the mean rating, or, for free text, how many answered (texts are
// never published).
function figures (q) {
  if (q.rating) {
    if (!q.rating.count) return '暂无评分'
    return '平均 ' + q.rating.mean + ' 分（' + q.rating.count + ' 户评分）'
  }
  if ((q.options || []).length) return q.options.map(o => o.option + ' ' + o.count + ' 户').join('，')
  return q.answered + ' 户填写了意见（文字内容不公开）'
}

function surveyViews (surveys) {
  return (surveys || []).map((s, i) => ({
    key: i,
    title: s.title,
    meta: format.label(format.SURVEY_PURPOSES, s.purpose) + '，' + beijingDate(s.closed_at) + ' 结束，共 ' + s.responses + ' 户答卷',
    questions: (s.questions || []).map((q, k) => ({ key: k, text: q.text, figures: figures(q) }))
  }))
}

// lifecycleView shapes the board's lifecycle sections for the page.
function lifecycleView (board) {
  return {
    stages: stageViews(board.stages),
    timeline: eventViews(board.timeline),
    site: siteLines(board.site),
    acceptances: acceptanceViews(board.acceptances),
    reports: reportsLine(board.reports),
    surveys: surveyViews(board.surveys)
  }
}

module.exports = { lifecycleView, beijingDate, yuan }
