// 表态: choice, confirmation, receipt, and the answers for residents who may not sign.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail, loggedIn } = require('./wx-mock.js')

const roundItem = {
  round: { id: 'R1', estate_id: 'E1', estate_name: '幸福小区', title: '加装电梯方案征询', status: 'open', rule_text: '两个80%',
    closes_at: '2026-12-01T10:00:00Z' },
  household: { id: 'H1', building: '3', unit: '2', room: '501' },
  can_sign: true, my_decision: null, history: []
}

async function openSignPage () {
  loggedIn(wx)
  wx.route('GET /api/v1/me/rounds', () => ok({ items: [roundItem] }))
  const page = renderPage('sign')
  await page.instance.onLoad({ round_id: 'R1', household_id: 'H1' })
  await waitFor(() => page.data.title === '加装电梯方案征询')
  return page
}

async function chooseAndConfirm (page, index) {
  await tap(page, '.choice', index)
  await tap(page, '.btn-primary') // 下一步
  await waitFor(() => page.data.step === 'confirm')
}

test('shows the round, asks for confirmation, then shows a copyable receipt', async () => {
  const page = await openSignPage()
  expect(text(page)).toContain('3栋2单元501室')
  expect(text(page)).toContain('2026年12月1日 18:00') // Beijing time
  await tap(page, '.choice', 1) // 不同意
  page.instance.onComment({ detail: { value: ' 电梯挡光 ' } })
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.step === 'confirm')
  expect(text(page)).toContain('请确认：本户表态为')
  expect(page.querySelector('.confirm').dom.textContent).toContain('不同意')
  expect(wx.callsTo('PUT /api/v1/rounds/R1/my-signoff')).toHaveLength(0) // nothing sent before confirming

  wx.route('PUT /api/v1/rounds/R1/my-signoff', () => ok({ round_id: 'R1', household_id: 'H1', decision: 'disagree', channel: 'online', version: 1,
    recorded_at: '2026-11-30T02:00:00Z', receipt: 'ABCD-EFGH-IJKL-MNOP' }))
  await tap(page, '.btn-primary') // 确认提交
  await waitFor(() => page.data.step === 'done')
  const put = wx.callsTo('PUT /api/v1/rounds/R1/my-signoff')[0]
  expect(put.data).toEqual({ decision: 'disagree', household_id: 'H1', comment: '电梯挡光' })
  expect(put.header['Idempotency-Key']).toMatch(/^mp-/)
  expect(page.querySelector('.receipt').dom.textContent).toBe('ABCD-EFGH-IJKL-MNOP')
  await tap(page, '.btn-primary') // 复制回执
  expect(wx.clipboard).toBe('ABCD-EFGH-IJKL-MNOP')
  await waitFor(() => page.data.copied)
  expect(text(page)).toContain('已复制回执')
})

test('a choice is required before the confirmation step', async () => {
  const page = await openSignPage()
  await tap(page, '.btn-primary')
  expect(page.data.step).toBe('choose')
  expect(page.querySelector('.error').dom.textContent).toContain('请先选择')
})

test('a double tap on 确认提交 sends one sign-off', async () => {
  const page = await openSignPage()
  await chooseAndConfirm(page, 0)
  wx.route('PUT /api/v1/rounds/R1/my-signoff', () => ok({ decision: 'agree', recorded_at: '2026-11-30T02:00:00Z', receipt: 'AAAA-AAAA-AAAA-AAAA' }))
  tap(page, '.btn-primary')
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.step === 'done')
  expect(wx.callsTo('PUT /api/v1/rounds/R1/my-signoff')).toHaveLength(1)
})

test('after a failure, tapping again repeats the same action with the same key; a new choice gets a new key', async () => {
  const page = await openSignPage()
  await chooseAndConfirm(page, 0)
  wx.route('PUT /api/v1/rounds/R1/my-signoff', () => 'network')
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toContain('请检查手机网络')
  wx.route('PUT /api/v1/rounds/R1/my-signoff', () => ok({ decision: 'agree', recorded_at: '2026-11-30T02:00:00Z', receipt: 'AAAA-AAAA-AAAA-AAAA' }))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.step === 'done')
  const keys = wx.callsTo('PUT /api/v1/rounds/R1/my-signoff').map(c => c.header['Idempotency-Key'])
  expect(keys.length).toBe(4) // three tries of the first tap, one of the second
  expect(new Set(keys).size).toBe(1)

  page.setData({ step: 'choose' })
  await tap(page, '.choice', 2)
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.step === 'confirm')
  await tap(page, '.btn-primary')
  await waitFor(() => wx.callsTo('PUT /api/v1/rounds/R1/my-signoff').length === 5)
  expect(wx.callsTo('PUT /api/v1/rounds/R1/my-signoff')[4].header['Idempotency-Key']).not.toBe(keys[0])
})

test.each([
  [403, 'not_household_signer', '您不是本户的指定签字人'],
  [409, 'round_past_deadline', '已过截止时间'],
  [409, 'round_not_open', '没有进行']
])('%i %s is explained', async (status, code, words) => {
  const page = await openSignPage()
  await chooseAndConfirm(page, 0)
  wx.route('PUT /api/v1/rounds/R1/my-signoff', () => fail(status, code, 'server text'))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.querySelector('.error').dom.textContent).toContain(words)
  expect(page.data.step).toBe('confirm')
  expect(wx.callsTo('PUT /api/v1/rounds/R1/my-signoff')).toHaveLength(1)
})
