// 首页: my households, the phone number button, and every page reachable by a tap.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')

const me = { resident: { id: 'R', households: [{ id: 'H1', estate_name: '幸福小区', building: '3', unit: '2', room: '501', relation: 'tenant', is_signer: false }] } }

test('before login it offers the login page and every public page', async () => {
  const page = renderPage('index')
  page.instance.onShow()
  await tap(page, '.btn-primary', 0)
  expect(wx.navigations[0]).toEqual(['navigateTo', '/pages/login/login'])
  expect(wx.calls).toHaveLength(0)
})

test('lists my households and registers my phone number from the getPhoneNumber button', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('POST /api/v1/me/phone', call => ok(Object.assign({ phone: call.data.code === 'pc-1' ? '13800001111' : '' }, me.resident)))
  const page = renderPage('index')
  page.instance.onShow()
  await waitFor(() => page.data.households.length === 1)
  expect(text(page)).toContain('幸福小区 3栋2单元501室')
  expect(text(page)).toContain('身份：租户')
  await page.instance.onPhone({ detail: { errMsg: 'getPhoneNumber:fail user deny' } })
  expect(page.data.error).toContain('没有获得手机号')
  await page.instance.onPhone({ detail: { code: 'pc-1' } })
  expect(wx.callsTo('POST /api/v1/me/phone')[0].data).toEqual({ code: 'pc-1' })
  expect(text(page)).toContain('登记的手机号：13800001111')
})

test('every page of app.json but 表态 and 对结果有异议 (opened from a round) is one tap away from the home page', async () => {
  const opensFromRound = ['pages/sign/sign', 'pages/result-objection/result-objection', 'pages/survey/survey'] // 填写问卷 opens from 问卷调查
  const pages = require('../app.json').pages.filter(p => p !== 'pages/index/index' && !opensFromRound.includes(p))
  const page = renderPage('index')
  page.instance.onShow()
  const urls = page.querySelectorAll('.btn').map(b => b.dom.getAttribute('data-url')).filter(Boolean)
  for (const p of pages) {
    expect(urls).toContain('/' + p)
  }
})

test('退出登录 asks first, then logs out on the service and shows the login button again', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('POST /api/v1/auth/logout', () => ({ status: 204, data: '' }))
  const page = renderPage('index')
  page.instance.onShow()
  await waitFor(() => page.data.households.length === 1)
  wx.modalAnswer = false
  await tap(page, '.logout')
  expect(wx.callsTo('POST /api/v1/auth/logout')).toHaveLength(0)
  wx.modalAnswer = true
  await tap(page, '.logout')
  await waitFor(() => !page.data.loggedIn)
  expect(wx.callsTo('POST /api/v1/auth/logout')[0].data).toEqual({ refresh_token: 'refresh-1' })
  expect(wx.getStorageSync('minyi.tokens')).toBeUndefined()
  expect(text(page)).toContain('已退出登录。')
  expect(page.querySelectorAll('.logout')).toHaveLength(0)
})

test('each household opens the board of its own estate', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok({ resident: { id: 'R', households: [
    Object.assign({}, me.resident.households[0], { estate_code: 'xingfu' }),
    { id: 'H2', estate_name: '安居小区', estate_code: 'anju', building: '1', unit: '1', room: '101', relation: 'owner', is_signer: true }] } }))
  const page = renderPage('index')
  page.instance.onShow()
  await waitFor(() => page.data.households.length === 2)
  expect(page.querySelectorAll('.estate-notice').map(b => b.dom.textContent)).toEqual(['本小区公示（进度、验收、问卷结果）', '本小区公示（进度、验收、问卷结果）'])
  await tap(page, '.estate-notice', 1)
  expect(wx.navigations).toEqual([['navigateTo', '/pages/notice/notice?code=anju']])
})
