// 小区公示 from a code or a scanned notice QR code.
const { renderPage, waitFor, text } = require('./page-helpers.js')
const { ok, fail } = require('./wx-mock.js')

const board = {
  estate: { code: 'xingfu', name: '幸福小区', district: '魏都区', street: '西大街', contact_phone: '0374-1234567' },
  current_revision: { version: 2, title: '方案第二版', summary: '电梯改到北侧', changes: '电梯井北移两米', published_at: '2026-11-20T02:00:00Z' },
  rounds: [{ id: 'R1', title: '加装电梯方案征询', status: 'closed', passed: true, rule: { description: '两个80%' },
    electorate: { households: 40 }, participated: { households: 36 },
    decisions: { agree: { households: 30 }, disagree: { households: 4 }, abstain: { households: 2 } },
    checks: [{ label: '参与户数≥80%', actual: '90.00%', passed: true }], counted_receipts: ['ABCD-EFGH-IJKL-MNOP'] }],
  answers: [{ category_label: '加装电梯', plan_item: '电梯位置', public_summary: '担心电梯井挡住采光', outcome_label: '部分采纳', explanation: '北移两米',
    answered_by: { role: 'designer', display_name: '设计师' } }]
}

test('opened from the notice QR code it shows the board of that estate', async () => {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(board))
  const page = renderPage('notice')
  await page.instance.onLoad({ q: encodeURIComponent('https://minyi.example.gov.cn/notice/xingfu') })
  await waitFor(() => page.data.estate)
  const shown = text(page)
  expect(shown).toContain('幸福小区')
  expect(shown).toContain('咨询电话：0374-1234567')
  expect(shown).toContain('本版修改：电梯井北移两米')
  expect(shown).toContain('已结束（公示中），结果：通过')
  expect(shown).toContain('已表态 36 户 / 共 40 户')
  expect(shown).toContain('同意 30 户，不同意 4 户，弃权 2 户')
  expect(shown).toContain('✔ 参与户数≥80%：90.00%')
  expect(shown).toContain('部分采纳：北移两米')
  expect(shown).toContain('意见摘要：担心电梯井挡住采光') // the answerer's summary, never the resident's text
  expect(shown).toContain('核验我的回执（已公布 1 条）')
  expect(wx.calls[0].header.Authorization).toBeUndefined()
})

test('an open round under 5 households shows no split (the board leaves it out)', async () => {
  wx.route('GET /api/v1/public/estates/small', () => ok({ estate: { name: '小院' }, rounds: [{ id: 'R', title: '征询', status: 'open',
    electorate: { households: 4 }, participated: { households: 2 }, split_hidden: true, decisions: null, passed: null, shortfall: null,
    checks: [], as_of: '2026-11-30T02:00:00Z' }] }))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'small' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('已表态 2 户 / 共 4 户')
  expect(text(page)).not.toContain('同意')
  expect(text(page)).not.toContain('结果：') // passed is null while open: no result
  expect(text(page)).toContain('征询结束前不公布分项数字')
  expect(text(page)).toMatch(/统计截至 (11月30日 )?10:00（征询期间定时更新/)
})

test('a closed round shows its notice period, an early close\'s reason, and then its finality or voiding', async () => {
  const ends = new Date(Date.now() + 2 * 86400000).toISOString()
  const closedRound = Object.assign({}, board.rounds[0], { as_of: '2026-11-30T02:00:00Z', shortfall: null,
    notice_period: { ends_at: ends, final: false, voided: false, close_reason: '全部住户已表态' } })
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [closedRound] })))
  let page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  let shown = text(page)
  expect(shown).toContain('公示期：至 ' + require('../lib/format.js').beijingTime(ends) + '（北京时间），对结果有异议可在公示期内')
  expect(shown).toContain('提前结束的理由：全部住户已表态')
  expect(shown).not.toContain('统计截至') // the final result is no snapshot

  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [Object.assign({}, closedRound, { status: 'final',
    notice_period: { ends_at: '2026-11-01T00:00:00Z', final: true, voided: false } })] })))
  page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  shown = text(page)
  expect(shown).toContain('结果已生效，结果：通过')
  expect(shown).toContain('公示期已满，结果已生效。')
  expect(shown).not.toContain('公示期：')

  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [Object.assign({}, closedRound, { status: 'voided',
    notice_period: { ends_at: ends, final: false, voided: true, voided_explanation: '3户纸质签字无法核实' } })] })))
  page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('本轮结果已作废：3户纸质签字无法核实')
  expect(text(page)).not.toContain('结果：通过') // a voided result no longer counts
})

test('an open round shows the shortfall in words', async () => {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [Object.assign({}, board.rounds[0], {
    status: 'open', passed: false, as_of: '2026-11-30T02:00:00Z', shortfall: { agree_households_needed: null, possible: false, changes_needed: 4 } })] })))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('还需要 4 户把不同意或弃权改为同意')
  expect(text(page)).not.toContain('结果：')
})

test('an unknown estate is explained', async () => {
  wx.route('GET /api/v1/public/estates/nope', () => fail(404, 'estate_not_found'))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'nope' })
  await waitFor(() => page.data.error !== '')
  expect(text(page)).toContain('没有找到这个小区的公示')
})
