// 我的意见: answers and my confirmation of the follow-up.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')

const answered = {
  id: 'O1', category: 'elevator', category_label: '加装电梯', plan_item: '电梯位置', content: '离窗户太近', status: 'answered',
  photos: ['u1'], created_at: '2026-11-20T02:00:00Z',
  answer: { outcome: 'partially_adopted', outcome_label: '部分采纳', explanation: '电梯井北移两米', answered_at: '2026-11-22T02:00:00Z' }
}
const waiting = { id: 'O2', category: 'parking', content: '车位不够', status: 'open', photos: [], created_at: '2026-11-25T02:00:00Z', due_at: '2026-12-02T02:00:00Z' }

test('shows answers and records the resident\'s confirmation', async () => {
  loggedIn(wx)
  let confirmed = null
  wx.route('GET /api/v1/me/objections', () => ok({ items: confirmed ? [Object.assign({}, answered, { my_confirmation: confirmed }), waiting] : [answered, waiting] }))
  wx.route('PUT /api/v1/objections/O1/my-confirmation', call => { confirmed = call.data; return ok({}) })
  const page = renderPage('objections')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 2)
  const shown = text(page)
  expect(shown).toContain('加装电梯｜电梯位置')
  expect(shown).toContain('答复：部分采纳（2026年11月22日 10:00）')
  expect(shown).toContain('电梯井北移两米')
  expect(shown).toContain('停车')
  expect(shown).toContain('待答复')
  expect(shown).toContain('应在 2026年12月2日 10:00 前答复')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(1) // only the answered one asks
  await tap(page, '.btn-plain', 0) // 不满意
  await waitFor(() => page.data.items[0].confirmed === '不满意')
  const put = wx.callsTo('PUT /api/v1/objections/O1/my-confirmation')[0]
  expect(put.data).toEqual({ satisfied: false })
  expect(put.header['Idempotency-Key']).toMatch(/^mp-/)
  expect(text(page)).toContain('我的确认：不满意')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
})
