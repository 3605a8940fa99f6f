// 我的征询: plan, changes, rule, count as on the board, my decision, history, deadline.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')

const me = { resident: { id: 'R', households: [{ id: 'H1', estate_id: 'E1', estate_name: '幸福小区', estate_code: 'xingfu', building: '3', unit: '2', room: '501' }] } }
const item = {
  round: { id: 'R1', estate_id: 'E1', estate_name: '幸福小区', title: '加装电梯方案征询', kind: 'plan', status: 'open',
    rule_text: '参与户数和面积均达到80%，同意户数和面积均达到参与的3/4', closes_at: '2036-12-01T10:00:00Z' },
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
  expect(shown).toContain('截止时间：2036年12月1日 18:00（北京时间）')
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

// A closed round in its notice period, as 我的征询 shows it from /me/rounds and the board.
function closedSetup ({ endsAt, final = false, voided = false, isSigner = true }) {
  loggedIn(wx)
  const closedItem = Object.assign({}, item, { can_sign: false, round: Object.assign({}, item.round, { status: 'closed', closed_at: '2026-12-01T10:00:00Z' }) })
  const hh = Object.assign({}, me.resident.households[0], { relation: 'owner', is_signer: isSigner })
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [closedItem] }))
  wx.route('GET /api/v1/me', () => ok({ resident: { id: 'R', households: [hh] } }))
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, {
    rounds: [Object.assign({}, board.rounds[0], { status: voided ? 'voided' : final ? 'final' : 'closed', passed: true, shortfall: null,
      checks: [{ name: 'participation_households', label: '参与户数≥80%', actual: '85.00%', passed: true }],
      notice_period: { ends_at: endsAt, final, voided, voided_explanation: voided ? '部分纸质签字未核实' : undefined } })]
  })))
  const page = renderPage('rounds')
  page.instance.onShow()
  return page
}

test('during the notice period a closed round shows its end and offers 对结果有异议', async () => {
  const ends = new Date(Date.now() + 3 * 86400000).toISOString()
  const page = closedSetup({ endsAt: ends })
  await waitFor(() => page.data.items.length === 1)
  const shown = text(page)
  expect(shown).toContain('状态：已结束（公示中），结果：通过')
  expect(shown).toContain('公示期：至 ' + require('../lib/format.js').beijingTime(ends) + '（北京时间）')
  expect(shown).not.toContain('公示统计截至') // a closed round's figures are final, not a snapshot
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0) // no signing once closed
  await tap(page, '.result-objection')
  expect(wx.navigations).toHaveLength(1)
  const url = wx.navigations[0][1]
  expect(url).toMatch(/^\/pages\/result-objection\/result-objection\?round_id=R1&household_id=H1&title=/)
  expect(decodeURIComponent(url)).toContain('title=加装电梯方案征询')
})

test('after the notice period, or once final or voided, no result objection is offered', async () => {
  let page = closedSetup({ endsAt: '2026-01-01T00:00:00Z' })
  await waitFor(() => page.data.items.length === 1)
  expect(text(page)).toContain('已结束')
  expect(page.querySelectorAll('.result-objection')).toHaveLength(0)

  page = closedSetup({ endsAt: '2026-01-01T00:00:00Z', final: true })
  await waitFor(() => page.data.items.length === 1)
  expect(text(page)).toContain('状态：结果已生效')
  expect(page.querySelectorAll('.result-objection')).toHaveLength(0)

  page = closedSetup({ endsAt: new Date(Date.now() + 86400000).toISOString(), voided: true })
  await waitFor(() => page.data.items.length === 1)
  expect(text(page)).toContain('状态：结果已作废')
  expect(text(page)).toContain('本轮结果已作废：部分纸质签字未核实')
  expect(text(page)).not.toContain('结果：通过') // a voided result no longer counts
  expect(page.querySelectorAll('.result-objection')).toHaveLength(0)
})

test('an open round shows the snapshot time, the shortfall, and a non-signer is told who signs', async () => {
  loggedIn(wx)
  const notMine = Object.assign({}, item, { can_sign: false, my_decision: null, history: [] })
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [notMine] }))
  wx.route('GET /api/v1/me', () => ok({ resident: { id: 'R', households: [Object.assign({}, me.resident.households[0], { relation: 'family', is_signer: false })] } }))
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, {
    rounds: [{ id: 'R1', status: 'open', electorate: { households: 4 }, participated: { households: 2 }, split_hidden: true,
      decisions: null, passed: null, checks: [], shortfall: null, as_of: '2026-11-30T02:00:00Z' }]
  })))
  const page = renderPage('rounds')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  const shown = text(page)
  expect(shown).toContain('已表态 2 户 / 共 4 户')
  expect(shown).not.toContain('同意 null')
  expect(shown).toContain('征询结束前不公布分项数字')
  expect(shown).toMatch(/公示统计截至 (11月30日 )?10:00/)
  expect(shown).toContain('您不是本户的指定签字人')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
  expect(page.querySelectorAll('.result-objection')).toHaveLength(0)
})

test('an open round with enough households shows how many more agreeing households are needed', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [item] }))
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, {
    rounds: [Object.assign({}, board.rounds[0], { passed: false, shortfall: { agree_households_needed: 7, possible: true } })]
  })))
  const page = renderPage('rounds')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  expect(text(page)).toContain('按目前统计，还差 7 户同意即可通过。')
  expect(text(page)).not.toContain('您不是本户的指定签字人')
})

test('past its deadline an open round (paper records still being synced) offers no signing', async () => {
  loggedIn(wx)
  const late = Object.assign({}, item, { round: Object.assign({}, item.round, { closes_at: '2026-01-01T00:00:00Z' }) })
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [late] }))
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(board))
  const page = renderPage('rounds')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  expect(text(page)).toContain('已过截止时间，不能再在线表态或撤回')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
  expect(page.querySelectorAll('.btn-danger')).toHaveLength(0)
  expect(text(page)).not.toContain('您不是本户的指定签字人')
})
