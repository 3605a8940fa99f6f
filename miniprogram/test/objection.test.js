// 提意见 / 随手拍: category, plan item, up to 9 photos uploaded once each.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail, loggedIn } = require('./wx-mock.js')

const me = { resident: { id: 'R', households: [
  { id: 'H1', estate_id: 'E1', estate_name: '幸福小区', building: '3', unit: '2', room: '501' },
  { id: 'H2', estate_id: 'E2', estate_name: '和平小区', building: '1', unit: '1', room: '101' }
] } }

async function openPage (options) {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok(me))
  let n = 0
  wx.route('UPLOAD /api/v1/uploads', () => ({ status: 201, data: { id: 'up' + (++n) } }))
  const page = renderPage('objection')
  await page.instance.onLoad(options)
  await waitFor(() => page.data.households.length === 2)
  return page
}

test('files an objection with category, plan item and photos for the chosen household', async () => {
  const page = await openPage({ estate_id: 'E2', round_id: 'R9' })
  expect(page.data.householdIndex).toBe(1)
  wx.mediaToChoose = ['/tmp/1.jpg', '/tmp/2.jpg']
  await tap(page, '.choice', 2 + 2) // after the two households: 绿化 is the third category
  expect(page.data.category).toBe('greening')
  page.instance.onPlanItem({ detail: { value: '北侧绿地' } })
  page.instance.onContent({ detail: { value: '树被砍了太多' } })
  page.instance.addPhotos()
  expect(wx.chosenCount).toBe(9)
  expect(page.querySelectorAll('.photo')).toHaveLength(2)
  wx.route('POST /api/v1/estates/E2/objections', () => ({ status: 201, data: { id: 'O1', status: 'open' } }))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.done)
  const uploads = wx.callsTo('UPLOAD /api/v1/uploads')
  expect(uploads.map(u => [u.filePath, u.name, u.formData.estate_id])).toEqual([['/tmp/1.jpg', 'file', 'E2'], ['/tmp/2.jpg', 'file', 'E2']])
  expect(wx.callsTo('POST /api/v1/estates/E2/objections')[0].data).toEqual({
    household_id: 'H2', category: 'greening', content: '树被砍了太多', round_id: 'R9', plan_item: '北侧绿地', photos: ['up1', 'up2']
  })
  expect(text(page)).toContain('意见已提交')
})

test('at most 9 photos; a removed photo is not sent', async () => {
  const page = await openPage({})
  wx.mediaToChoose = Array.from({ length: 12 }, (_, i) => '/tmp/p' + i + '.jpg')
  page.instance.addPhotos()
  expect(page.data.photos).toHaveLength(9)
  expect(page.querySelectorAll('.btn-plain')).toHaveLength(0) // the add button is gone at 9
  await tap(page, '.btn-danger', 0)
  expect(page.data.photos).toHaveLength(8)
  expect(page.data.photos[0].path).toBe('/tmp/p1.jpg')
  wx.mediaToChoose = ['/tmp/new.jpg', '/tmp/new2.jpg']
  page.instance.addPhotos()
  expect(wx.chosenCount).toBe(1)
  expect(page.data.photos).toHaveLength(9)
})

test('a retry after a failed submission uploads only what is missing and reuses the key', async () => {
  const page = await openPage({})
  wx.mediaToChoose = ['/tmp/a.jpg', '/tmp/b.jpg']
  page.instance.addPhotos()
  await tap(page, '.choice', 2 + 11) // 其他
  page.instance.onContent({ detail: { value: '楼道灯坏了' } })
  wx.route('POST /api/v1/estates/E1/objections', () => fail(503, 'database_unavailable'))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toContain('服务暂时不可用')
  wx.route('POST /api/v1/estates/E1/objections', () => ({ status: 201, data: { id: 'O1' } }))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.done)
  expect(wx.callsTo('UPLOAD /api/v1/uploads')).toHaveLength(2)
  const keys = wx.callsTo('POST /api/v1/estates/E1/objections').map(c => c.header['Idempotency-Key'])
  expect(keys).toHaveLength(4)
  expect(new Set(keys).size).toBe(1)
  expect(wx.callsTo('POST /api/v1/estates/E1/objections')[3].data.category).toBe('other')
})

test('category and content are required before anything is sent', async () => {
  const page = await openPage({})
  await tap(page, '.btn-primary')
  expect(page.data.error).toContain('类别')
  await tap(page, '.choice', 2)
  await tap(page, '.btn-primary')
  expect(page.data.error).toContain('意见')
  expect(wx.calls.filter(c => c.method !== 'GET')).toHaveLength(0)
})

test('the upload quota (429 upload_quota_exceeded) is explained, not retried, and nothing is filed', async () => {
  const page = await openPage({ estate_id: 'E1' })
  wx.route('UPLOAD /api/v1/uploads', () => ({ status: 429, data: { error: { code: 'upload_quota_exceeded', message: '今日上传文件已达上限，请稍后再试' } } }))
  wx.route('POST /api/v1/estates/E1/objections', () => ({ status: 201, data: { id: 'O1', status: 'open' } }))
  wx.mediaToChoose = ['/tmp/1.jpg']
  await tap(page, '.choice', 2) // 加装电梯
  page.instance.onContent({ detail: { value: '楼道灯坏了' } })
  page.instance.addPhotos()
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toContain('今天上传的照片已达上限')
  expect(page.data.error).toContain('只提交文字意见')
  expect(wx.callsTo('UPLOAD /api/v1/uploads')).toHaveLength(1)
  expect(wx.callsTo('POST /api/v1/estates/E1/objections')).toHaveLength(0)
  expect(page.data.content).toBe('楼道灯坏了')
})
