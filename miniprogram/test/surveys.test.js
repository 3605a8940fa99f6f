// 问卷调查: the open surveys of my estates.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, loggedIn } = require('./wx-mock.js')

test('lists the open surveys, marks the ones my household answered, and opens one', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me/surveys', () => ok({ items: [
    { id: 'S1', estate_id: 'E1', title: '改造需求调查', purpose: 'needs', status: 'open', closes_at: '2036-12-10T10:00:00Z',
      questions: [{ id: 'q1', kind: 'single', text: '最想改什么', options: ['电梯', '停车'], required: true }], my_responses: [] },
    { id: 'S2', estate_id: 'E1', title: '施工满意度', purpose: 'satisfaction', status: 'open', closes_at: null,
      questions: [{ id: 'q1', kind: 'rating', text: '总体评价', required: true }, { id: 'q2', kind: 'text', text: '建议' }],
      my_responses: [{ survey_id: 'S2', household_id: 'H1', channel: 'online', answers: [{ question_id: 'q1', rating: 4 }] }] }
  ] }))
  const page = renderPage('surveys')
  page.instance.onShow()
  await waitFor(() => page.data.items.length === 2)
  const shown = text(page)
  expect(shown).toContain('改造需求调查')
  expect(shown).toContain('改造需求调查，共 1 题，2036年12月10日 18:00 截止（北京时间）')
  expect(shown).toContain('满意度调查，共 2 题')
  expect(shown).toContain('本户已填写，截止前可以修改。')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(1) // 去填写 only for the unanswered one
  await tap(page, '.btn-primary')
  expect(wx.navigations).toEqual([['navigateTo', '/pages/survey/survey?survey_id=S1']])
})

test('with no open survey it says so', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/me/surveys', () => ok({ items: [] }))
  const page = renderPage('surveys')
  page.instance.onShow()
  await waitFor(() => page.data.empty)
  expect(text(page)).toContain('现在没有需要填写的问卷')
})
