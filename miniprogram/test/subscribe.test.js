// 订阅提醒: wx.requestSubscribeMessage for the four kinds, then PUT /me/subscriptions.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')
const config = require('../config.js')

test('asks for the four templates and records the accepted kinds', async () => {
  loggedIn(wx)
  let counts = { round_opened: 0, objection_answered: 0, result_published: 0, deadline_reminder: 0 }
  wx.route('GET /api/v1/me/subscriptions', () => ok(counts))
  wx.route('PUT /api/v1/me/subscriptions', call => {
    for (const k of call.data.accepted) counts[k]++
    counts = Object.assign({}, counts)
    return ok(counts)
  })
  wx.subscribeAnswer = {
    [config.templates.round_opened]: 'accept',
    [config.templates.deadline_reminder]: 'reject',
    [config.templates.result_published]: 'accept',
    [config.templates.objection_answered]: 'ban'
  }
  const page = renderPage('subscribe')
  page.instance.onShow()
  await waitFor(() => page.data.kinds[0].remaining === 0)
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.message !== '')
  expect(wx.subscribeRequest.sort()).toEqual(Object.values(config.templates).sort())
  const put = wx.callsTo('PUT /api/v1/me/subscriptions')
  expect(put).toHaveLength(1)
  expect(put[0].data).toEqual({ accepted: ['round_opened', 'result_published'] })
  expect(put[0].header['Idempotency-Key']).toMatch(/^mp-/)
  await waitFor(() => page.data.kinds[0].remaining === 1)
  expect(text(page)).toContain('征询开始：还可收到 1 条')
  expect(text(page)).toContain('已开启：征询开始、结果公布')
})

test('declining everything sends nothing', async () => {
  loggedIn(wx)
  wx.subscribeAnswer = {}
  const page = renderPage('subscribe')
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.message !== '')
  expect(wx.callsTo('PUT /api/v1/me/subscriptions')).toHaveLength(0)
  expect(page.data.busy).toBe(false)
})
