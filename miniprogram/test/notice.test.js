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
  answers: [{ category_label: '加装电梯', plan_item: '电梯位置', outcome_label: '部分采纳', explanation: '北移两米' }]
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
  expect(shown).toContain('核验我的回执（已公布 1 条）')
  expect(wx.calls[0].header.Authorization).toBeUndefined()
})

test('an open round under 5 households shows no split (the board leaves it out)', async () => {
  wx.route('GET /api/v1/public/estates/small', () => ok({ estate: { name: '小院' }, rounds: [{ id: 'R', title: '征询', status: 'open',
    electorate: { households: 4 }, participated: { households: 2 }, decisions: {}, checks: [] }] }))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'small' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('已表态 2 户 / 共 4 户')
  expect(text(page)).not.toContain('同意')
})

test('an unknown estate is explained', async () => {
  wx.route('GET /api/v1/public/estates/nope', () => fail(404, 'estate_not_found'))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'nope' })
  await waitFor(() => page.data.error !== '')
  expect(text(page)).toContain('没有找到这个小区的公示')
})
