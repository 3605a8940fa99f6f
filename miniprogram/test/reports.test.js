// 随手拍: filing a problem report with photos, my reports with their status
// and the fix photos, and my confirmation once fixed.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail, loggedIn } = require('./wx-mock.js')

const me = { resident: { id: 'R', households: [
  { id: 'H1', estate_id: 'E1', estate_name: '幸福小区', building: '3', unit: '2', room: '501' },
  { id: 'H3', estate_id: 'E1', estate_name: '幸福小区', building: '5', unit: '1', room: '101' },
  { id: 'H2', estate_id: 'E2', estate_name: '和平小区', building: '1', unit: '1', room: '101' }
] } }

const report = (id, status, extra) => Object.assign({
  id, estate_id: 'E1', status, text: '楼道堆满建筑垃圾', location: '3号楼2单元门口', photo_upload_ids: ['u1'],
  assignee_id: null, note: '', fix_photo_upload_ids: [], fixed_at: null, satisfied: null, confirm_note: '', confirmed_at: null,
  created_at: '2026-11-20T02:00:00Z', updated_at: '2026-11-20T02:00:00Z'
}, extra)

const fixed = report('P1', 'fixed', { note: '已清运', fix_photo_upload_ids: ['f1', 'f2'], fixed_at: '2026-11-21T06:30:00Z', created_at: '2026-11-20T02:00:00Z' })
const waiting = report('P2', 'reported', { text: '井盖松动', location: '小区北门', photo_upload_ids: [], created_at: '2026-11-25T02:00:00Z' })

async function openPage (lists) {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('GET /api/v1/estates/E1/reports', () => ok({ items: lists.E1 || [], next_cursor: '' }))
  wx.route('GET /api/v1/estates/E2/reports', () => ok({ items: lists.E2 || [], next_cursor: '' }))
  let n = 0
  wx.route('UPLOAD /api/v1/uploads', () => ({ status: 201, data: { id: 'up' + (++n) } }))
  const page = renderPage('reports')
  await page.instance.onLoad({})
  await waitFor(() => !page.data.loading && page.data.estates.length === 2)
  return page
}

test('files a report with text, location and photos in the chosen estate and lists it', async () => {
  const lists = {}
  const page = await openPage(lists)
  expect(text(page)).toContain('您还没有拍过问题')
  await tap(page, '.choice', 1) // 和平小区 (two households of 幸福小区 make one choice)
  page.instance.onText({ detail: { value: ' 脚手架没有围挡 ' } })
  page.instance.onLocation({ detail: { value: '1号楼南侧' } })
  wx.mediaToChoose = ['/tmp/1.jpg', '/tmp/2.jpg']
  page.instance.addPhotos()
  expect(wx.chosenCount).toBe(9)
  wx.route('POST /api/v1/estates/E2/reports', call => {
    lists.E2 = [report('P9', 'reported', { estate_id: 'E2', text: call.data.text, location: call.data.location, photo_upload_ids: call.data.photo_upload_ids })]
    return { status: 201, data: lists.E2[0] }
  })
  await tap(page, '.file-report')
  await waitFor(() => page.data.items.length === 1)
  const uploads = wx.callsTo('UPLOAD /api/v1/uploads')
  expect(uploads.map(u => [u.filePath, u.name, u.formData.estate_id])).toEqual([['/tmp/1.jpg', 'file', 'E2'], ['/tmp/2.jpg', 'file', 'E2']])
  const post = wx.callsTo('POST /api/v1/estates/E2/reports')
  expect(post).toHaveLength(1)
  expect(post[0].data).toEqual({ text: '脚手架没有围挡', location: '1号楼南侧', photo_upload_ids: ['up1', 'up2'] })
  expect(post[0].header['Idempotency-Key']).toMatch(/^mp-/)
  const shown = text(page)
  expect(shown).toContain('已上报。')
  expect(shown).toContain('状态：已上报')
  expect(shown).toContain('脚手架没有围挡')
  expect(shown).toContain('位置：1号楼南侧')
  expect(shown).toContain('和平小区，上报于')
  expect(page.data.text).toBe('')
  expect(page.data.photos).toEqual([])
  expect(wx.callsTo('GET /api/v1/estates/E2/reports')[0].query).toBe('?limit=100')
})

test('text and location are required before anything is sent; at most 9 photos', async () => {
  const page = await openPage({})
  await tap(page, '.file-report')
  expect(page.data.error).toBe('请写下您看到的问题。')
  page.instance.onText({ detail: { value: '井盖松动' } })
  await tap(page, '.file-report')
  expect(page.data.error).toContain('请写明问题在哪里')
  page.instance.onLocation({ detail: { value: 'x'.repeat(201) } })
  await tap(page, '.file-report')
  expect(page.data.error).toBe('位置最多 200 个字。')
  wx.mediaToChoose = Array.from({ length: 12 }, (_, i) => '/tmp/p' + i + '.jpg')
  page.instance.addPhotos()
  expect(page.data.photos).toHaveLength(9)
  expect(page.querySelectorAll('.add-photos')).toHaveLength(0)
  await tap(page, '.remove-photo', 0)
  expect(page.data.photos[0].path).toBe('/tmp/p1.jpg')
  expect(wx.calls.filter(c => c.method !== 'GET')).toHaveLength(0)
})

test('a retry after a failure uploads only the missing photos and reuses the key; the service\'s field error is shown', async () => {
  const page = await openPage({})
  page.instance.onText({ detail: { value: '井盖松动' } })
  page.instance.onLocation({ detail: { value: '小区北门' } })
  wx.mediaToChoose = ['/tmp/a.jpg', '/tmp/b.jpg']
  page.instance.addPhotos()
  wx.route('POST /api/v1/estates/E1/reports', () => fail(503, 'database_unavailable'))
  await tap(page, '.file-report')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toContain('服务暂时不可用')
  wx.route('POST /api/v1/estates/E1/reports', () => fail(422, 'validation_failed', '输入有误：photo_upload_ids'))
  await tap(page, '.file-report')
  await waitFor(() => page.data.error === '输入有误：photo_upload_ids')
  wx.route('POST /api/v1/estates/E1/reports', () => ({ status: 201, data: report('P3', 'reported') }))
  await tap(page, '.file-report')
  await waitFor(() => page.data.filed !== '' && !page.data.busy)
  expect(wx.callsTo('UPLOAD /api/v1/uploads')).toHaveLength(2)
  const keys = wx.callsTo('POST /api/v1/estates/E1/reports').map(c => c.header['Idempotency-Key'])
  expect(keys).toHaveLength(5) // three attempts of the 503, the 422, the 201
  expect(new Set(keys).size).toBe(1)
  // a new report after that is a new action
  page.instance.onText({ detail: { value: '路灯不亮' } })
  page.instance.onLocation({ detail: { value: '2号楼' } })
  await tap(page, '.file-report')
  await waitFor(() => wx.callsTo('POST /api/v1/estates/E1/reports').length === 6)
  expect(wx.callsTo('POST /api/v1/estates/E1/reports')[5].header['Idempotency-Key']).not.toBe(keys[0])
})

test('lists my reports newest first in Chinese, shows the fix photos and confirms satisfied', async () => {
  const lists = { E1: [fixed, waiting], E2: [report('P5', 'confirmed', { estate_id: 'E2', satisfied: true, confirm_note: '谢谢', created_at: '2026-11-10T02:00:00Z' })] }
  const page = await openPage(lists)
  expect(page.data.items.map(i => [i.id, i.status])).toEqual([['P2', '已上报'], ['P1', '已处理'], ['P5', '已确认']])
  const shown = text(page)
  expect(shown).toContain('处理完成：2026年11月21日 14:30')
  expect(shown).toContain('工作人员说明：已清运')
  expect(shown).toContain('您已确认满意：谢谢')
  expect(page.querySelectorAll('.confirm-yes')).toHaveLength(1) // only the fixed one asks
  wx.route('DOWNLOAD /api/v1/uploads/f1', () => ({ status: 200 }))
  wx.route('DOWNLOAD /api/v1/uploads/f2', () => ({ status: 200 }))
  await tap(page, '.show-fix')
  await waitFor(() => page.data.shown['P1:fix'])
  expect(page.data.shown['P1:fix']).toEqual(['wxfile://tmp/f1', 'wxfile://tmp/f2'])
  expect(wx.callsTo('DOWNLOAD /api/v1/uploads/f1')[0].header.Authorization).toBe('Bearer access-1')
  wx.route('POST /api/v1/reports/P1/confirmation', call => {
    lists.E1 = [Object.assign({}, fixed, { status: 'confirmed', satisfied: true, confirm_note: '', confirmed_at: '2026-11-22T02:00:00Z' }), waiting]
    return ok(lists.E1[0])
  })
  await tap(page, '.confirm-yes')
  await waitFor(() => page.data.items[1].status === '已确认')
  const post = wx.callsTo('POST /api/v1/reports/P1/confirmation')
  expect(post).toHaveLength(1)
  expect(post[0].data).toEqual({ satisfied: true })
  expect(post[0].header['Idempotency-Key']).toMatch(/^mp-/)
  expect(text(page)).toContain('您已确认满意')
  expect(page.querySelectorAll('.confirm-yes')).toHaveLength(0)
})

test('not satisfied needs a note and sends the report back; a changed note is a new action', async () => {
  const lists = { E1: [fixed] }
  const page = await openPage(lists)
  await tap(page, '.confirm-no')
  expect(page.data.listError).toContain('请写下哪里还没处理好')
  expect(wx.callsTo('POST /api/v1/reports/P1/confirmation')).toHaveLength(0)
  page.instance.onNote({ currentTarget: { dataset: { id: 'P1' } }, detail: { value: '还有' } })
  wx.route('POST /api/v1/reports/P1/confirmation', () => 'network')
  await tap(page, '.confirm-no')
  await waitFor(() => page.data.listError !== '')
  expect(page.data.listError).toContain('网络连接不上')
  const firstKey = wx.callsTo('POST /api/v1/reports/P1/confirmation')[0].header['Idempotency-Key']
  page.instance.onNote({ currentTarget: { dataset: { id: 'P1' } }, detail: { value: ' 门口还有一堆碎砖 ' } })
  wx.route('POST /api/v1/reports/P1/confirmation', call => {
    lists.E1 = [Object.assign({}, fixed, { status: 'assigned', fixed_at: null, satisfied: false, confirm_note: call.data.note })]
    return ok(lists.E1[0])
  })
  await tap(page, '.confirm-no')
  await waitFor(() => page.data.items[0].status === '已派单')
  const posts = wx.callsTo('POST /api/v1/reports/P1/confirmation')
  expect(posts).toHaveLength(4) // three lost attempts, then the new action
  expect(posts[3].data).toEqual({ satisfied: false, note: '门口还有一堆碎砖' })
  expect(new Set(posts.slice(0, 3).map(p => p.header['Idempotency-Key']))).toEqual(new Set([firstKey]))
  expect(posts[3].header['Idempotency-Key']).not.toBe(firstKey)
  expect(text(page)).toContain('您上次不满意：门口还有一堆碎砖（已退回重新处理）')
  expect(page.querySelectorAll('.confirm-no')).toHaveLength(0)
})

test('a report no longer fixed (409 report_not_fixed) is explained and shown as it is now', async () => {
  const lists = { E1: [fixed] }
  const page = await openPage(lists)
  wx.route('POST /api/v1/reports/P1/confirmation', () => {
    lists.E1 = [Object.assign({}, fixed, { status: 'assigned', fixed_at: null })]
    return fail(409, 'report_not_fixed', '问题尚未处理完毕，处理后才能确认')
  })
  await tap(page, '.confirm-yes')
  await waitFor(() => page.data.listError !== '')
  expect(page.data.listError).toBe('问题尚未处理完毕，处理后才能确认')
  expect(page.data.items[0].status).toBe('已派单')
  expect(page.querySelectorAll('.confirm-yes')).toHaveLength(0)
  expect(text(page)).toContain('问题尚未处理完毕')
})

test('without a bound household it asks for a binding and sends nothing', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok({ resident: { id: 'R', households: [] } }))
  const page = renderPage('reports')
  await page.instance.onLoad({})
  expect(page.data.error).toBe('请先绑定房屋，再随手拍。')
  await tap(page, '.file-report')
  expect(wx.calls.filter(c => c.method !== 'GET')).toHaveLength(0)
  expect(page.querySelectorAll('.reload')).toHaveLength(0)
})

test('a list that fails to load offers 重试', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me', () => ok(me))
  wx.route('GET /api/v1/estates/E1/reports', () => ({ status: 500, data: 'Internal Server Error' }))
  const page = renderPage('reports')
  await page.instance.onLoad({})
  await waitFor(() => page.data.listError !== '')
  expect(page.data.listError).toContain('服务暂时不可用')
  expect(text(page)).toContain('重试')
  wx.route('GET /api/v1/estates/E1/reports', () => ok({ items: [waiting], next_cursor: '' }))
  wx.route('GET /api/v1/estates/E2/reports', () => ok({ items: [], next_cursor: '' }))
  await tap(page, '.reload')
  await waitFor(() => page.data.items.length === 1)
  expect(page.data.listError).toBe('')
})

test('lengths are counted in characters, as the service counts them (an emoji is one)', async () => {
  const page = await openPage({})
  page.instance.onText({ detail: { value: '围挡倒了' } })
  page.instance.onLocation({ detail: { value: '🏠'.repeat(200) } })
  wx.route('POST /api/v1/estates/E1/reports', () => ({ status: 201, data: report('P4', 'reported') }))
  await tap(page, '.file-report')
  await waitFor(() => page.data.filed !== '' && !page.data.busy)
  expect(page.data.error).toBe('')
  expect(wx.callsTo('POST /api/v1/estates/E1/reports')[0].data.location).toBe('🏠'.repeat(200))
})
