// 对结果有异议: a written objection to a closed round's result in its notice period.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail, loggedIn } = require('./wx-mock.js')

const options = { round_id: 'R1', household_id: 'H1', title: encodeURIComponent('加装电梯方案征询'), ends: encodeURIComponent('2026年12月8日 18:00') }

test('shows the period\'s end and my earlier objections with their answers', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/rounds/R1/result-objections', () => ok({ items: [
    { id: 'O1', round_id: 'R1', household_id: 'H1', text: '我家的回执不在名单里', filed_by: 'resident', created_at: '2026-12-02T01:00:00Z',
      status: 'answered', outcome: 'rejected', explanation: '回执已核实在名单第3页', resolved_at: '2026-12-03T02:00:00Z' }] }))
  const page = renderPage('result-objection')
  await page.instance.onLoad(options)
  await waitFor(() => page.data.items.length === 1)
  const shown = text(page)
  expect(shown).toContain('加装电梯方案征询')
  expect(shown).toContain('公示期：至 2026年12月8日 18:00（北京时间）')
  expect(shown).toContain('我家的回执不在名单里')
  expect(shown).toContain('异议不成立，结果维持：回执已核实在名单第3页（2026年12月3日 10:00）')
})

test('submits the text for my household once, keeping the key when I tap again after a failure', async () => {
  loggedIn(wx)
  const filed = []
  wx.route('GET /api/v1/rounds/R1/result-objections', () => ok({ items: filed }))
  let answers = ['network', 'network', 'network']
  wx.route('POST /api/v1/rounds/R1/result-objections', call => {
    if (answers.length) return answers.shift()
    const o = { id: 'O2', round_id: 'R1', household_id: call.data.household_id, text: call.data.text, filed_by: 'resident',
      created_at: '2026-12-02T01:00:00Z', status: 'open', resolved_at: null }
    filed.push(o)
    return { status: 201, data: o }
  })
  const page = renderPage('result-objection')
  await page.instance.onLoad(options)
  await tap(page, '.btn-primary')
  expect(page.data.error).toContain('请写下')
  expect(wx.callsTo('POST /api/v1/rounds/R1/result-objections')).toHaveLength(0)
  page.instance.onText({ detail: { value: ' 3栋有两户的纸质签字不是本人签的 ' } })
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error.includes('网络'))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.done)
  await waitFor(() => page.data.items.length === 1)
  const posts = wx.callsTo('POST /api/v1/rounds/R1/result-objections')
  expect(posts).toHaveLength(4)
  expect(posts[0].data).toEqual({ text: '3栋有两户的纸质签字不是本人签的', household_id: 'H1' })
  expect(new Set(posts.map(p => p.header['Idempotency-Key'])).size).toBe(1)
  expect(text(page)).toContain('异议已提交')
  expect(text(page)).toContain('待答复')
})

test('after the notice period the service\'s answer is shown and the form goes away', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/rounds/R1/result-objections', () => ok({ items: [] }))
  wx.route('POST /api/v1/rounds/R1/result-objections', () => fail(409, 'notice_period_over', '结果公示期已结束，不能再提出异议'))
  const page = renderPage('result-objection')
  await page.instance.onLoad(options)
  page.instance.onText({ detail: { value: '有异议' } })
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.over)
  expect(page.querySelector('.error').dom.textContent).toBe('结果公示期已结束，不能再提出异议')
  expect(page.querySelectorAll('textarea')).toHaveLength(0)
})
