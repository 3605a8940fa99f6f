// 我的意见: answers and my confirmation of the follow-up.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')

const answered = {
  id: 'O1', category: 'elevator', category_label: '加装电梯', plan_item: '电梯位置', content: '离窗户太近', status: 'answered',
  photos: ['u1'], created_at: '2026-11-20T02:00:00Z',
  answer: { outcome: 'partially_adopted', outcome_label: '部分采纳', explanation: '电梯井北移两米', public_summary: '电梯井位置',
    answered_by: { role: 'designer', display_name: '王工' }, answered_at: '2026-11-22T02:00:00Z' }
}
const waiting = { id: 'O2', category: 'parking', content: '车位不够', status: 'open', photos: [], created_at: '2026-11-25T02:00:00Z', due_at: '2026-12-02T02:00:00Z',
  handler_id: 'U7', handler: { id: 'U7', role: 'designer', display_name: '王工' }, overdue: true }

test('shows answers and records the resident\'s confirmation', async () => {
  loggedIn(wx)
  let confirmed = null
  wx.route('GET /api/v1/me/objections', () => ok({ items: confirmed ? [Object.assign({}, answered, { confirmation: Object.assign({ note: '' }, confirmed) }), waiting] : [answered, waiting] }))
  wx.route('PUT /api/v1/objections/O1/my-confirmation', call => { confirmed = call.data; return ok({}) })
  const page = renderPage('objections')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 2)
  const shown = text(page)
  expect(shown).toContain('加装电梯｜电梯位置')
  expect(shown).toContain('答复：部分采纳（设计师 王工，2026年11月22日 10:00）')
  expect(shown).toContain('电梯井北移两米')
  expect(shown).toContain('停车')
  expect(shown).toContain('待答复')
  expect(shown).toContain('应在 2026年12月2日 10:00 前答复，负责人：设计师 王工')
  expect(shown).toContain('已超过答复期限')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(1) // only the answered one asks
  await tap(page, '.confirm-no') // 不满意
  await waitFor(() => page.data.items[0].confirmed === '不满意')
  const put = wx.callsTo('PUT /api/v1/objections/O1/my-confirmation')[0]
  expect(put.data).toEqual({ satisfied: false })
  expect(put.header['Idempotency-Key']).toMatch(/^mp-/)
  expect(text(page)).toContain('我的确认：不满意')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
})

test('a closed objection names who visited (closed_by is an object) and asks nothing more of me', async () => {
  loggedIn(wx)
  const closed = Object.assign({}, answered, { status: 'closed', confirmation: { satisfied: true, note: '', confirmed_at: '2026-11-25T02:00:00Z' },
    follow_up: { satisfied: true, note: '已现场查看', closed_by: { role: 'worker', display_name: '李社工' }, closed_at: '2026-11-24T02:00:00Z' } })
  wx.route('GET /api/v1/me/objections', () => ok({ items: [closed] }))
  const page = renderPage('objections')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  const shown = text(page)
  expect(shown).toContain('已回访办结')
  expect(shown).toContain('工作人员回访（社区工作人员 李社工）：满意 已现场查看')
  expect(shown).not.toContain('[object Object]')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
})

test('a note typed with the confirmation is sent with it; changing it makes a new action', async () => {
  loggedIn(wx)
  let answers = ['network', 'network', 'network']
  wx.route('GET /api/v1/me/objections', () => ok({ items: [answered] }))
  wx.route('PUT /api/v1/objections/O1/my-confirmation', () => (answers.length ? answers.shift() : ok({})))
  const page = renderPage('objections')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  page.instance.onNote({ currentTarget: { dataset: { id: 'O1' } }, detail: { value: ' 电梯井还是太近 ' } })
  await tap(page, '.confirm-no') // 不满意: fails (network)
  await waitFor(() => page.data.error !== '')
  page.instance.onNote({ currentTarget: { dataset: { id: 'O1' } }, detail: { value: '电梯井离窗户仍不到三米' } })
  await tap(page, '.confirm-no')
  await waitFor(() => wx.callsTo('PUT /api/v1/objections/O1/my-confirmation').length === 4)
  const puts = wx.callsTo('PUT /api/v1/objections/O1/my-confirmation')
  expect(puts[0].data).toEqual({ satisfied: false, note: '电梯井还是太近' })
  expect(puts[3].data).toEqual({ satisfied: false, note: '电梯井离窗户仍不到三米' })
  expect(puts[3].header['Idempotency-Key']).not.toBe(puts[0].header['Idempotency-Key'])
})

test('查看照片 downloads my objection\'s photos with my token and shows them', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me/objections', () => ok({ items: [Object.assign({}, answered, { photos: ['u1', 'u2'] })] }))
  wx.route('DOWNLOAD /api/v1/uploads/u1', () => ({ status: 200 }))
  let u2 = ['network', 'network', 'network']
  wx.route('DOWNLOAD /api/v1/uploads/u2', () => (u2.length ? u2.shift() : { status: 200 }))
  const page = renderPage('objections')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  expect(page.querySelectorAll('.photo')).toHaveLength(0)
  await tap(page, '.show-photos')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toContain('网络连接不上')
  await tap(page, '.show-photos')
  await waitFor(() => page.querySelectorAll('.photo').length === 2)
  expect(page.data.shown.O1).toEqual(['wxfile://tmp/u1', 'wxfile://tmp/u2'])
  expect(wx.callsTo('DOWNLOAD /api/v1/uploads/u1')[0].header.Authorization).toBe('Bearer access-1')
  expect(page.querySelectorAll('.show-photos')).toHaveLength(0)
})

test('查看处理经过 reads the objection in full and lists what happened, by whom', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me/objections', () => ok({ items: [answered] }))
  wx.route('GET /api/v1/objections/O1', () => ok(Object.assign({}, answered, { history: [
    { kind: 'filed', status: 'open', actor: { role: 'resident', display_name: '' }, recorded_at: '2026-11-20T02:00:00Z' },
    { kind: 'answered', status: 'answered', outcome: 'partially_adopted', explanation: '电梯井北移两米', actor: { role: 'designer', display_name: '王工' }, recorded_at: '2026-11-22T02:00:00Z' },
    { kind: 'closed', status: 'closed', satisfied: false, note: '仍太近', actor: { role: 'worker', display_name: '李社工' }, recorded_at: '2026-11-24T02:00:00Z' },
    { kind: 'confirmed', status: 'closed', satisfied: true, note: '', actor: { role: 'resident', display_name: '' }, recorded_at: '2026-11-24T08:00:00Z' },
    { kind: 'something_new', status: 'closed', actor: { role: 'admin', display_name: '' }, recorded_at: '2026-11-25T02:00:00Z' }
  ] })))
  const page = renderPage('objections')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 1)
  await tap(page, '.show-history')
  await waitFor(() => page.querySelectorAll('.history').length === 1)
  const shown = page.querySelector('.history').dom.textContent
  expect(shown).toContain('2026年11月20日 10:00 提交意见（本人）')
  expect(shown).toContain('2026年11月22日 10:00 答复（设计师 王工） 部分采纳：电梯井北移两米')
  expect(shown).toContain('2026年11月24日 10:00 回访办结（社区工作人员 李社工） 不满意：仍太近')
  expect(shown).toContain('2026年11月24日 16:00 本人确认（本人） 满意')
  expect(shown).toContain('2026年11月25日 10:00 处理（管理员）')
  expect(page.querySelectorAll('.show-history')).toHaveLength(0)
})
