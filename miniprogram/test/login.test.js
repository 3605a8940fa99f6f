// 登录.
const { renderPage, waitFor, tap } = require('./page-helpers.js')
const { ok, fail } = require('./wx-mock.js')

test('login: a 503 gets a message that says to try again later', async () => {
  wx.route('POST /api/v1/auth/wechat', () => fail(503, 'database_unavailable', 'x'))
  const page = renderPage('login')
  page.instance.onLoad({})
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.querySelector('.error').dom.textContent).toContain('服务暂时不可用')
  expect(page.querySelector('.error').dom.textContent).toContain('过几分钟')
  expect(wx.getStorageSync('minyi.tokens')).toBeUndefined()
})

test('login: success stores the tokens and goes to binding when no household is bound', async () => {
  wx.route('POST /api/v1/auth/wechat', call => ok({ access_token: 'a', refresh_token: 'r', resident: { id: 'R', households: [] }, code: call.data.code }))
  const page = renderPage('login')
  page.instance.onLoad({})
  await tap(page, '.btn-primary')
  await waitFor(() => wx.navigations.length > 0)
  expect(wx.callsTo('POST /api/v1/auth/wechat')[0].data.code).toBe('wxcode-1')
  expect(wx.getStorageSync('minyi.tokens')).toEqual({ access_token: 'a', refresh_token: 'r' })
  expect(wx.navigations).toEqual([['redirectTo', '/pages/bind/bind']])
})
