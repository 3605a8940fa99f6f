// 绑定房屋.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail, loggedIn } = require('./wx-mock.js')

const boundHousehold = { id: 'H1', estate_id: 'E1', estate_name: '幸福小区', estate_code: 'xingfu', building: '3', unit: '2', room: '501' }

test('the bind page takes the code from the mini-program code\'s scene', async () => {
  const page = renderPage('bind')
  page.instance.onLoad({ scene: encodeURIComponent('K7Q2-M9XP') })
  expect(page.data.code).toBe('K7Q2-M9XP')
})

test('an owner binds sending relation owner (always sent)', async () => {
  loggedIn(wx)
  wx.route('POST /api/v1/me/bindings', () => ({ status: 201, data: boundHousehold }))
  const page = renderPage('bind')
  page.instance.onLoad({})
  page.instance.onInput({ detail: { value: ' ABC123 ' } })
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.bound)
  expect(wx.callsTo('POST /api/v1/me/bindings')[0].data).toEqual({ code: 'ABC123', relation: 'owner' })
  expect(text(page)).toContain('绑定成功：幸福小区 3栋2单元501室')
})

test.each([[1, 'co_owner'], [2, 'family'], [3, 'tenant']])('choosing relation #%i sends %s', async (index, relation) => {
  loggedIn(wx)
  wx.route('POST /api/v1/me/bindings', () => ({ status: 201, data: boundHousehold }))
  const page = renderPage('bind')
  page.instance.onLoad({ code: 'ABC123' })
  await tap(page, '.choice', index)
  expect(page.querySelectorAll('.choice-on')[0].dom.textContent).toContain(['业主', '共有人', '家庭成员', '租户'][index])
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.bound)
  expect(wx.callsTo('POST /api/v1/me/bindings')[0].data).toEqual({ code: 'ABC123', relation })
})

test('a wrong code shows the service\'s message; an empty one is not sent', async () => {
  loggedIn(wx)
  wx.route('POST /api/v1/me/bindings', () => fail(422, 'binding_code_invalid', '绑定码不正确，请核对后重新输入'))
  const page = renderPage('bind')
  page.instance.onLoad({})
  await tap(page, '.btn-primary')
  expect(page.data.error).toContain('请输入')
  expect(wx.callsTo('POST /api/v1/me/bindings')).toHaveLength(0)
  page.instance.onInput({ detail: { value: 'WRONG' } })
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error.includes('绑定码不正确'))
  expect(page.querySelector('.error').dom.textContent).toBe('绑定码不正确，请核对后重新输入')
})
