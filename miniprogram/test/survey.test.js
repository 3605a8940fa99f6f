// 填写问卷: every kind of question, required ones, my household, one key per action.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail, loggedIn } = require('./wx-mock.js')

const survey = {
  id: 'S1', estate_id: 'E1', title: '改造需求调查', purpose: 'needs', status: 'open', closes_at: '2036-12-10T10:00:00Z',
  questions: [
    { id: 'q1', kind: 'single', text: '您家住几楼以上需要电梯', options: ['3楼', '5楼'], required: true },
    { id: 'q2', kind: 'multiple', text: '最想改造的项目', options: ['电梯', '停车', '绿化'], required: true },
    { id: 'q3', kind: 'rating', text: '对现在楼道的评价', required: false },
    { id: 'q4', kind: 'text', text: '其他建议', required: false }
  ]
}
const me = { resident: { id: 'R', households: [
  { id: 'H1', estate_id: 'E1', estate_name: '幸福小区', building: '3', unit: '2', room: '501' },
  { id: 'H2', estate_id: 'E1', estate_name: '幸福小区', building: '3', unit: '2', room: '601' },
  { id: 'H9', estate_id: 'E9', estate_name: '别的小区', building: '1', unit: '1', room: '101' }
] } }

async function openSurvey (mine) {
  loggedIn(wx)
  wx.route('GET /api/v1/surveys/S1', () => ok(survey))
  wx.route('GET /api/v1/me/surveys', () => ok({ items: mine ? [Object.assign({}, survey, { my_responses: mine })] : [] }))
  wx.route('GET /api/v1/me', () => ok(me))
  const page = renderPage('survey')
  await page.instance.onLoad({ survey_id: 'S1' })
  await waitFor(() => page.data.questions.length === 4)
  return page
}

test('answers every kind of question for the chosen household, after the required ones', async () => {
  const page = await openSurvey()
  expect(page.data.households.map(h => h.id)).toEqual(['H1', 'H2']) // only households of the survey's estate
  expect(text(page)).toContain('1. 您家住几楼以上需要电梯（必答）')
  wx.route('PUT /api/v1/surveys/S1/my-response', () => ok({ survey_id: 'S1', household_id: 'H2', channel: 'online', answers: [] }))
  await tap(page, '.btn-primary')
  expect(page.data.error).toBe('第 1、2 题必须回答。')
  expect(wx.callsTo('PUT /api/v1/surveys/S1/my-response')).toHaveLength(0)

  await tap(page, '.choice', 1) // the second household
  await tap(page, '.choice', 2 + 1) // q1: 5楼
  await tap(page, '.choice', 2 + 2 + 0) // q2: 电梯
  await tap(page, '.choice', 2 + 2 + 2) // q2: 绿化
  await tap(page, '.choice', 2 + 2 + 2) // q2: 绿化 again: off
  await tap(page, '.choice', 2 + 2 + 1) // q2: 停车
  await tap(page, '.rating', 3) // q3: 4 分
  page.instance.onText({ currentTarget: { dataset: { qid: 'q4' } }, detail: { value: ' 希望楼道装扶手 ' } })
  expect(text(page)).toContain('☑ 电梯')
  expect(text(page)).toContain('☐ 绿化')
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.done)
  const put = wx.callsTo('PUT /api/v1/surveys/S1/my-response')
  expect(put).toHaveLength(1)
  expect(put[0].data).toEqual({ household_id: 'H2', answers: [
    { question_id: 'q1', choice: '5楼' },
    { question_id: 'q2', choices: ['电梯', '停车'] },
    { question_id: 'q3', rating: 4 },
    { question_id: 'q4', text: '希望楼道装扶手' }
  ] })
  expect(put[0].header['Idempotency-Key']).toMatch(/^mp-/)
  expect(text(page)).toContain('已提交，谢谢您的参与')
})

test('my household\'s earlier response is shown and can be changed; a failed submit keeps its key', async () => {
  const page = await openSurvey([{ survey_id: 'S1', household_id: 'H2', channel: 'online',
    answers: [{ question_id: 'q1', choice: '3楼' }, { question_id: 'q2', choices: ['停车'] }] }])
  expect(page.data.householdIndex).toBe(1)
  expect(text(page)).toContain('本户已经填写过')
  expect(text(page)).toContain('● 3楼')
  expect(text(page)).toContain('☑ 停车')
  let answers = [fail(500, 'internal', '服务暂时出错，请稍后再试'), ok({})]
  wx.route('PUT /api/v1/surveys/S1/my-response', () => answers.shift())
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toBe('服务暂时出错，请稍后再试')
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.done)
  const puts = wx.callsTo('PUT /api/v1/surveys/S1/my-response')
  expect(puts.map(p => p.data.answers)).toEqual([
    [{ question_id: 'q1', choice: '3楼' }, { question_id: 'q2', choices: ['停车'] }],
    [{ question_id: 'q1', choice: '3楼' }, { question_id: 'q2', choices: ['停车'] }]
  ])
  expect(puts[1].header['Idempotency-Key']).toBe(puts[0].header['Idempotency-Key'])
})

test('a closed survey says so', async () => {
  loggedIn(wx)
  wx.route('GET /api/v1/surveys/S1', () => ok(Object.assign({}, survey, { status: 'closed' })))
  wx.route('GET /api/v1/me/surveys', () => ok({ items: [] }))
  wx.route('GET /api/v1/me', () => ok(me))
  const page = renderPage('survey')
  await page.instance.onLoad({ survey_id: 'S1' })
  await waitFor(() => page.data.error !== '')
  expect(text(page)).toContain('这份问卷已经截止，不能再填写。')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
})

test('a survey closed while the resident answers says nothing was saved and offers no more 提交', async () => {
  const page = await openSurvey()
  await tap(page, '.choice', 2) // q1: 3楼
  await tap(page, '.choice', 2 + 2) // q2: 电梯
  wx.route('PUT /api/v1/surveys/S1/my-response', () => fail(409, 'survey_not_open', '问卷未在收集答卷（尚未发布或已结束）'))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.closed)
  expect(text(page)).toContain('这份问卷已经截止，这次的回答没有保存。')
  expect(text(page)).not.toContain('已提交')
  expect(page.querySelectorAll('.btn-primary')).toHaveLength(0)
  expect(wx.callsTo('PUT /api/v1/surveys/S1/my-response')).toHaveLength(1)
})

test('answers the service refuses are named by question number, in the service\'s Chinese', async () => {
  const page = await openSurvey()
  await tap(page, '.choice', 2) // q1: 3楼
  await tap(page, '.choice', 2 + 2) // q2: 电梯
  await tap(page, '.rating', 4) // q3: 5 分
  wx.route('PUT /api/v1/surveys/S1/my-response', () => ({ status: 422, data: { error: { code: 'validation_failed', message: '提交的内容有误，请检查标注的字段',
    fields: { 'answers[2].rating': '评分须为 1 到 5', 'answers.q2': '必须回答' } } } }))
  await tap(page, '.btn-primary')
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toBe('提交的内容有误，请检查标注的字段：第 2 题：必须回答；第 3 题：评分须为 1 到 5')
  expect(text(page)).toContain('第 3 题：评分须为 1 到 5')
  expect(page.data.closed).toBe(false)
})
