// 我的征询: plan, changes, rule, count as on the board, my decision, history, deadline.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')

const me = { resident: { id: 'R', households: [{ id: 'H1', estate_id: 'E1', estate_name: '幸福小区', estate_code: 'xingfu', building: '3', unit: '2', room: '501' }] } }
const item = {
  round: { id: 'R1', estate_id: 'E1', estate_name: '幸福小区', title: '加装电梯方案征询', kind: 'plan', status: 'open',
    rule_text: '参与户数和面积均达到80%，同意户数和面积均达到参与的3/4', closes_at: '2026-12-01T10:00:00Z' },
  revision: { id: 'V2', version: 2, title: '方案第二版', summary: '电梯改到北侧' },
  household: { id: 'H1', building: '3', unit: '2', room: '501' },
  can_sign: true,
  my_decision: { decision: 'disagree', channel: 'online', version: 2, recorded_at: '2026-11-29T01:00:00Z', receipt: 'ABCD-EFGH-IJKL-MNOP' },
  history: [
    { version: 1, old_decision: '', new_decision: 'agree', channel: 'paper', recorded_by: 'staff', recorded_at: '2026-11-28T01:00:00Z' },
    { version: 2, old_decision: 'agree', new_decision: 'disagree', channel: 'online', recorded_by: 'me', recorded_at: '2026-11-29T01:00:00Z' }
  ]
}
const board = {
  estate: { code: 'xingfu', name: '幸福小区' },
  current_revision: { version: 2, title: '方案第二版', summary: '电梯改到北侧', changes: '电梯井北移两米' },
  rounds: [{ id: 'R1', status: 'open', electorate: { households: 40 }, participated: { households: 31 },
    decisions: { agree: { households: 25 } }, checks: [{ name: 'participation_households', label: '参与户数≥80%', actual: '77.50%', passed: false }],
    as_of: '2026-11-30T02:00:00Z' }]
}

async function openRounds () {
  loggedIn(wx)
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [item] }))
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(board))
  const page = renderPage('rounds')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  return page
}

test('shows everything a resident needs to decide', async () => {
  const page = await openRounds()
  const shown = text(page)
  expect(shown).toContain('加装电梯方案征询')
  expect(shown).toContain('3栋2单元501室')
  expect(shown).toContain('截止时间：2026年12月1日 18:00（北京时间）')
  expect(shown).toContain('表决规则：参与户数和面积均达到80%')
  expect(shown).toContain('第2版 方案第二版')
  expect(shown).toContain('本版修改：电梯井北移两米')
  expect(shown).toContain('已表态 31 户 / 共 40 户，同意 25 户')
  expect(shown).toContain('✘ 参与户数≥80%：77.50%')
  expect(shown).toContain('本户表态：不同意（小程序，2026年11月29日 09:00）')
  expect(shown).toContain('回执：ABCD-EFGH-IJKL-MNOP')
  expect(shown).toContain('2026年11月28日 09:00 同意（社区工作人员代录）')
  expect(shown).toContain('同意 → 不同意（本人）')
  // the public board is read without the resident's token
  expect(wx.callsTo('GET /api/v1/public/estates/xingfu')[0].header.Authorization).toBeUndefined()
})

test('the sign button opens 表态 for that household', async () => {
  const page = await openRounds()
  await tap(page, '.btn-primary')
  expect(wx.navigations).toEqual([['navigateTo', '/pages/sign/sign?round_id=R1&household_id=H1']])
})

test('without the board the round still shows, without the count', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [item] }))
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('GET /api/v1/public/estates/xingfu', () => 'network')
  const page = renderPage('rounds')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  expect(text(page)).toContain('加装电梯方案征询')
  expect(page.querySelectorAll('.figures')).toHaveLength(0)
  expect(page.data.error).toBe('')
})

test('withdrawing asks first, then deletes my household\'s sign-off and reloads', async () => {
  const page = await openRounds()
  wx.modalAnswer = false
  await tap(page, '.btn-danger')
  expect(wx.modals[0]).toContain('确定撤回本户对“加装电梯方案征询”的表态吗')
  expect(wx.callsTo('DELETE /api/v1/rounds/R1/my-signoff')).toHaveLength(0)
  wx.modalAnswer = true
  wx.route('DELETE /api/v1/rounds/R1/my-signoff', () => ({ status: 204, data: '' }))
  await tap(page, '.btn-danger')
  await waitFor(() => wx.callsTo('GET /api/v1/me/rounds').length === 2)
  const del = wx.callsTo('DELETE /api/v1/rounds/R1/my-signoff')
  expect(del).toHaveLength(1)
  expect(del[0].query).toBe('?household_id=H1')
  expect(del[0].header['Idempotency-Key']).toMatch(/^mp-/)
})
