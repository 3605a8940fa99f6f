/**
 * @jest-environment ./test/e2e/jsdom-fetch-environment.js
 */
// End to end, a resident's year (issue 15): the pages themselves, rendered
// with miniprogram-simulate, drive a real `minyi serve` built from the
// repository, on SQLite and, when MINYI_TEST_MYSQL_URL is set, on a fresh
// MariaDB/MySQL database. The staff's part is done over HTTP from the test.
// The resident binds, answers the needs survey (every kind of question),
// finds it counted and replaces the answer while it is open, is told it has
// closed; signs in both plan rounds; files an objection that a worker handles
// and confirms the handling (the dispute table's own confirmation); files a
// 随手拍 report with a photo and confirms the fix; answers the Xuchang
// satisfaction form; and at last reads on 小区公示 the stages, events,
// joint acceptance, report counts and survey aggregates as the API gives them.
const fs = require('fs')
const os = require('os')
const path = require('path')
const { createNodeWx } = require('./e2e/node-wx.js')
const { start, databases } = require('./e2e/servers.js')
const { png } = require('./e2e/png.js')
const { usePage, until, tapOn, typeInto, shown } = require('./e2e/pages.js')

jest.setTimeout(Number(process.env.MINYI_E2E_TIMEOUT_MS || 300000))

const PRECONDITIONS = ['party_organisation', 'multi_party_consultation', 'residents_pact', 'illegal_structures_removed',
  'resident_contribution', 'property_fee_commitment']
const XUCHANG_ITEMS = ['quality', 'progress', 'civilised_works', 'outcome', 'communication', 'maintenance', 'overall']

// caller makes HTTP calls as one staff member: call(method, path, body, expected).
function caller (base, token) {
  return async (method, pathname, body, expected) => {
    const res = await fetch(base + pathname, {
      method,
      headers: Object.assign({ 'Content-Type': 'application/json' }, token ? { Authorization: 'Bearer ' + token } : {}),
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30000)
    })
    const text = await res.text()
    if (expected !== undefined && res.status !== expected) throw new Error(method + ' ' + pathname + ' → ' + res.status + ' ' + text)
    return text ? JSON.parse(text) : null
  }
}

async function staffUpload (base, token, estateID, bytes) {
  const form = new FormData()
  form.append('estate_id', estateID)
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'photo.png')
  const res = await fetch(base + '/api/v1/uploads', { method: 'POST', headers: { Authorization: 'Bearer ' + token }, body: form, signal: AbortSignal.timeout(30000) })
  const text = await res.text()
  if (res.status !== 201) throw new Error('upload → ' + res.status + ' ' + text)
  return JSON.parse(text)
}

describe.each(databases().map(d => [d.name, d]))('a resident\'s year on %s', (name, database) => {
  let servers

  beforeAll(async () => {
    servers = await start({ mysqlURL: database.mysqlURL })
  })

  const cleanups = []

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0)) cleanup()
    if (!servers) return
    const stopped = await servers.stop()
    if (process.env.MINYI_E2E_LOGS || !stopped) process.stderr.write(servers.logs.join(''))
  })

  test('needs survey → two rounds → objection and 随手拍 confirmed → satisfaction survey → the board, through the pages', async () => {
    const base = servers.base
    const anonymous = caller(base, '')
    const admin = caller(base, (await anonymous('POST', '/api/v1/auth/login', servers.admin, 200)).access_token)

    // Staff: the estate, six households, a worker with the estate.
    const estate = await admin('POST', '/api/v1/estates', { name: '安居小区', code: 'anju-year', district: '许昌市魏都区' }, 201)
    const E = '/api/v1/estates/' + estate.id
    const households = (await admin('POST', E + '/households', {
      items: ['101', '102', '201', '202', '301', '302'].map(room => ({ building: '1', unit: '1', room, area_m2: 68 }))
    }, 201)).items
    const mine = households[0]
    const others = households.slice(1)
    const workerUser = await admin('POST', '/api/v1/users', { username: 'year-worker', password: 'year-worker-password-1', display_name: '王工', role: 'worker' }, 201)
    await admin('PUT', E + '/staff/' + workerUser.id, { role: 'worker' }, 204)
    const workerToken = (await anonymous('POST', '/api/v1/auth/login', { username: 'year-worker', password: 'year-worker-password-1' }, 200)).access_token
    const worker = caller(base, workerToken)
    const stage = (s, status) => admin('PATCH', E + '/stages/' + s, { status }, 200)
    await stage('survey', 'in_progress')
    await stage('survey', 'done')
    await stage('needs', 'in_progress')

    // The needs survey, every kind of question.
    const needs = await worker('POST', E + '/surveys', {
      title: '安居小区改造需求调查',
      purpose: 'needs',
      closes_at: new Date(Date.now() + 30 * 86400000).toISOString(),
      questions: [
        { id: 'priority', kind: 'single', text: '最希望先改哪一项', options: ['加装电梯', '外墙保温', '雨污分流'], required: true },
        { id: 'extras', kind: 'multiple', text: '还希望增加', options: ['停车位', '绿化', '充电桩'] },
        { id: 'current', kind: 'rating', text: '现在楼道的状况', required: true },
        { id: 'remarks', kind: 'text', text: '其他意见' }
      ]
    }, 201)
    await worker('POST', '/api/v1/surveys/' + needs.id + '/open', undefined, 200)
    const bindingCode = (await admin('POST', E + '/households/' + mine.id + '/binding-codes', undefined, 201)).code

    // The resident: 绑定房屋 (logging in through WeChat on the way).
    const wx = createNodeWx({ loginCodeURL: servers.loginCodeURL('resident-year-' + name) })
    const bind = usePage(wx, base, 'bind')
    bind.instance.onLoad({ code: bindingCode })
    await tapOn(bind, '.choice', '业主')
    await tapOn(bind, '.btn-primary', '绑定')
    await until(() => bind.data.bound || bind.data.error, 'the binding')
    expect(bind.data.error).toBe('')
    expect(shown(bind)).toContain('绑定成功：安居小区 1栋1单元101室')
    expect(shown(bind)).toContain('您是本户的指定签字人')

    // 问卷调查 lists the open needs survey, not yet answered.
    let surveys = usePage(wx, base, 'surveys')
    surveys.instance.onShow()
    await until(() => surveys.data.items.length === 1 && !surveys.data.loading, 'the open survey')
    expect(shown(surveys)).toContain('安居小区改造需求调查')
    expect(shown(surveys)).toContain('改造需求调查，共 4 题')
    expect(shown(surveys)).not.toContain('本户已填写')
    await tapOn(surveys, '.btn-primary', '去填写')
    expect(wx.navigations.pop()).toEqual(['navigateTo', '/pages/survey/survey?survey_id=' + needs.id])

    // 填写问卷: single, multiple, rating and text.
    const answerNeeds = async () => {
      const page = usePage(wx, base, 'survey')
      await page.instance.onLoad({ survey_id: needs.id })
      await until(() => page.data.questions.length === 4, 'the needs questions')
      return page
    }
    let survey = await answerNeeds()
    expect(shown(survey)).toContain('1. 最希望先改哪一项（必答）')
    expect(shown(survey)).toContain('1 分最低，5 分最高')
    await tapOn(survey, '.btn-primary', '提交')
    expect(survey.data.error).toBe('第 1、3 题必须回答。')
    await tapOn(survey, '.choice', '外墙保温')
    await tapOn(survey, '.choice', '停车位')
    await tapOn(survey, '.choice', '充电桩')
    await tapOn(survey, '.rating', '2 分')
    await typeInto(survey, '.textarea', '楼道灯坏了很久')
    expect(shown(survey)).toContain('☑ 停车位')
    expect(shown(survey)).toContain('● 2 分')
    await tapOn(survey, '.btn-primary', '提交')
    await until(() => survey.data.done || survey.data.error, 'the needs answer')
    expect(survey.data.error).toBe('')
    expect(shown(survey)).toContain('已提交，谢谢您的参与！截止前可以再来修改。')
    // Counted: one response, as the staff see it.
    let results = await worker('GET', '/api/v1/surveys/' + needs.id + '/results', undefined, 200)
    const counts = (res, qid) => Object.fromEntries(res.questions.find(q => q.id === qid).options.map(o => [o.option, o.count]))
    expect(results.responses).toBe(1)
    expect(counts(results, 'priority')).toEqual({ 加装电梯: 0, 外墙保温: 1, 雨污分流: 0 })
    expect(counts(results, 'extras')).toEqual({ 停车位: 1, 绿化: 0, 充电桩: 1 })
    expect(results.questions.find(q => q.id === 'remarks').texts).toEqual(['楼道灯坏了很久'])

    // The list says it is answered; the page shows the answer and replaces it.
    surveys = usePage(wx, base, 'surveys')
    surveys.instance.onShow()
    await until(() => surveys.data.items.length === 1 && surveys.data.items[0].answered, 'the answered survey')
    expect(shown(surveys)).toContain('本户已填写，截止前可以修改。')
    expect(shown(surveys)).toContain('查看或修改')
    survey = await answerNeeds()
    expect(shown(survey)).toContain('本户已经填写过，下面是上次的回答')
    expect(shown(survey)).toContain('● 外墙保温')
    expect(shown(survey)).toContain('☑ 充电桩')
    expect(survey.data.questions[3].answer).toBe('楼道灯坏了很久')
    await tapOn(survey, '.choice', '加装电梯')
    await tapOn(survey, '.choice', '充电桩') // off again
    await tapOn(survey, '.btn-primary', '提交')
    await until(() => survey.data.done || survey.data.error, 'the replaced answer')
    expect(survey.data.error).toBe('')
    results = await worker('GET', '/api/v1/surveys/' + needs.id + '/results', undefined, 200)
    expect(results.responses).toBe(1)
    expect(counts(results, 'priority')).toEqual({ 加装电梯: 1, 外墙保温: 0, 雨污分流: 0 })
    expect(counts(results, 'extras')).toEqual({ 停车位: 1, 绿化: 0, 充电桩: 0 })

    // Four more households on paper; the survey closes while the resident is on the page.
    for (const [i, h] of others.slice(0, 4).entries()) {
      await worker('PUT', '/api/v1/surveys/' + needs.id + '/responses/' + h.id, { answers: [
        { question_id: 'priority', choice: ['加装电梯', '雨污分流'][i % 2] }, { question_id: 'current', rating: 3 }] }, 200)
    }
    survey = await answerNeeds()
    await worker('POST', '/api/v1/surveys/' + needs.id + '/close', undefined, 200)
    await tapOn(survey, '.btn-primary', '提交')
    await until(() => survey.data.closed, 'the refused late answer')
    expect(shown(survey)).toContain('这份问卷已经截止，这次的回答没有保存。')
    expect(survey.querySelectorAll('.btn-primary')).toHaveLength(0)
    survey = await answerNeeds()
    expect(shown(survey)).toContain('这份问卷已经截止，不能再填写。')
    surveys = usePage(wx, base, 'surveys')
    surveys.instance.onShow()
    await until(() => surveys.data.empty, 'the empty survey list')
    expect(shown(surveys)).toContain('现在没有需要填写的问卷')
    await stage('needs', 'done')

    // Round 1 on the first plan; the resident disagrees and objects.
    await stage('design', 'in_progress')
    const rev1 = await admin('POST', E + '/revisions', { title: '初步设计方案', summary: '外墙保温、雨污分流、加装电梯', changes: '首版', addresses: [] }, 201)
    const round1 = await admin('POST', E + '/rounds', { title: '第一轮方案征询', kind: 'plan', revision_id: rev1.id,
      closes_at: new Date(Date.now() + 7 * 86400000).toISOString() }, 201)
    await admin('POST', '/api/v1/rounds/' + round1.id + '/open', undefined, 200)
    await stage('design', 'done')
    await stage('round1', 'in_progress')
    const signOnPage = async (roundID, choice, label) => {
      const page = usePage(wx, base, 'sign')
      await page.instance.onLoad({ round_id: roundID })
      await until(() => page.data.title || page.data.error, 'the round to sign')
      await tapOn(page, '.choice', '', choice)
      await tapOn(page, '.btn-primary', '下一步')
      expect(shown(page)).toContain('请确认：本户表态为' + label)
      await tapOn(page, '.btn-primary', '确认提交')
      await until(() => page.data.step === 'done' || page.data.error, 'the sign-off')
      expect(page.data.error).toBe('')
      expect(shown(page)).toContain('已提交：本户表态为“' + label + '”')
      expect(page.data.receipt).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/)
      return page
    }
    await signOnPage(round1.id, 1, '不同意')

    const objectionPage = usePage(wx, base, 'objection')
    await objectionPage.instance.onLoad({ round_id: round1.id, household_id: mine.id })
    await until(() => objectionPage.data.households.length === 1, 'the objection form')
    await tapOn(objectionPage, '.choice', '加装电梯')
    await typeInto(objectionPage, '.textarea', '电梯井挡住我家厨房窗户')
    await tapOn(objectionPage, '.btn-primary', '提交意见')
    await until(() => objectionPage.data.done || objectionPage.data.error, 'the objection')
    expect(objectionPage.data.error).toBe('')
    const objection = (await admin('GET', E + '/objections', undefined, 200)).items[0]
    expect([objection.content, objection.category, objection.round_id]).toEqual(['电梯井挡住我家厨房窗户', 'elevator', round1.id])
    await admin('PATCH', '/api/v1/objections/' + objection.id, { handler_id: workerUser.id }, 200)

    // 我的意见: waiting, with its handler and due date.
    let objections = usePage(wx, base, 'objections')
    objections.instance.onShow()
    await until(() => objections.data.items.length === 1, 'my objection')
    expect(shown(objections)).toContain('状态：待答复')
    expect(shown(objections)).toMatch(/应在 \d{4}年\d+月\d+日 \d\d:\d\d 前答复，负责人：社区工作人员 王工/)
    expect(objections.data.items[0].canConfirm).toBe(false)

    // Others sign on paper; round 1 ends early without passing.
    for (const h of others) await worker('PUT', '/api/v1/rounds/' + round1.id + '/signoffs/' + h.id, { decision: 'disagree', channel: 'paper', signer_name: '业主' + h.room }, 200)
    const closed1 = await admin('POST', '/api/v1/rounds/' + round1.id + '/close', { reason: '全部住户已表态，提前结束' }, 200)
    expect(closed1.status).toBe('closed')
    // A sign-off after the close is refused (409 round_not_open); the page says what to do instead.
    const late = usePage(wx, base, 'sign')
    await late.instance.onLoad({ round_id: round1.id })
    await tapOn(late, '.choice', '', 0)
    await tapOn(late, '.btn-primary', '下一步')
    await tapOn(late, '.btn-primary', '确认提交')
    await until(() => late.data.error, 'the refused late sign-off')
    expect(wx.sent.filter(r => r.method === 'PUT' && r.path.endsWith('/my-signoff')).pop()).toMatchObject({ status: 409, code: 'round_not_open' })
    expect(shown(late)).toContain('本轮征询现在没有进行（尚未开始或已经结束），不能表态。结果请看小区公示。')
    expect(late.data.step).toBe('confirm')
    await stage('round1', 'done')

    // The revision answers the objection, the admin's answer names it; the resident confirms.
    await stage('revision', 'in_progress')
    const rev2 = await admin('POST', E + '/revisions', { title: '修改后方案', summary: '电梯移到北侧', changes: '电梯井北移 3 米', addresses: [objection.id] }, 201)
    await admin('POST', '/api/v1/objections/' + objection.id + '/response', { outcome: 'adopted', explanation: '电梯井北移 3 米，不再挡窗', revision_id: rev2.id,
      public_summary: '居民担心电梯井挡窗' }, 200)
    await stage('revision', 'done')
    objections = usePage(wx, base, 'objections')
    objections.instance.onShow()
    await until(() => objections.data.items.length === 1 && objections.data.items[0].answer, 'the answered objection')
    expect(shown(objections)).toContain('状态：已答复')
    expect(shown(objections)).toContain('电梯井北移 3 米，不再挡窗')
    expect(shown(objections)).toContain('您对答复和处理结果满意吗？')
    await typeInto(objections, '.textarea', '谢谢，北移后不挡光了')
    await tapOn(objections, '.btn-primary', '满意')
    await until(() => objections.data.items[0].confirmed || objections.data.error, 'the confirmation')
    expect(objections.data.error).toBe('')
    expect(shown(objections)).toContain('我的确认：满意：谢谢，北移后不挡光了')
    expect(objections.querySelectorAll('.confirm-no')).toHaveLength(0)
    const handled = await admin('GET', '/api/v1/objections/' + objection.id, undefined, 200)
    expect([handled.handler_id, handled.confirmation.satisfied, handled.confirmation.note]).toEqual([workerUser.id, true, '谢谢，北移后不挡光了'])
    await tapOn(objections, '.show-history')
    await until(() => objections.data.histories[objection.id], 'the history')
    expect(shown(objections)).toMatch(/本人确认（本人） 满意：谢谢，北移后不挡光了/)

    // Round 2 on the revision: the resident agrees, everyone agrees, final at once (no notice days).
    await stage('round2', 'in_progress')
    const round2 = await admin('POST', E + '/rounds', { title: '第二轮方案征询', kind: 'plan', revision_id: rev2.id, notice_days: 0,
      closes_at: new Date(Date.now() + 7 * 86400000).toISOString() }, 201)
    await admin('POST', '/api/v1/rounds/' + round2.id + '/open', undefined, 200)
    await signOnPage(round2.id, 0, '同意')
    for (const h of others) await worker('PUT', '/api/v1/rounds/' + round2.id + '/signoffs/' + h.id, { decision: 'agree', channel: 'paper', signer_name: '业主' + h.room }, 200)
    await admin('POST', '/api/v1/rounds/' + round2.id + '/close', { reason: '全部住户已表态，提前结束' }, 200)
    // The scheduler (every second) makes a result final once its notice period is over.
    const final2 = await eventually(() => admin('GET', '/api/v1/rounds/' + round2.id, undefined, 200), r => r.status === 'final', 'round 2 final')
    expect(final2.result.passed).toBe(true)
    await stage('round2', 'done')
    await stage('notice', 'in_progress')
    await stage('notice', 'done')

    // Construction: the six preconditions, then the start; the site information.
    for (const key of PRECONDITIONS) await worker('PUT', E + '/preconditions/' + key, { met: true, note: '已落实' }, 200)
    await stage('construction', 'in_progress')
    await admin('PUT', E + '/site', { builder: '安居建设公司', supervising_unit: '安居监理公司', designer_unit: '安居设计院',
      starts_on: '2027-03-01', ends_on: '2027-09-30', budget_fen: 125000000, contact_phone: '0374-5123456' }, 200)

    // 随手拍 with a photo; a worker fixes it; the resident confirms on the page.
    const photoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minyi-mp-year-'))
    cleanups.push(() => fs.rmSync(photoDir, { recursive: true, force: true }), () => wx.cleanup())
    const photo = path.join(photoDir, 'manhole.png')
    fs.writeFileSync(photo, png(24, 16))
    let reports = usePage(wx, base, 'reports')
    reports.instance.onLoad()
    await until(() => reports.data.estates.length === 1 && !reports.data.loading && shown(reports).includes('您还没有拍过问题'), 'the empty report list')
    wx.mediaToChoose = [photo]
    await typeInto(reports, '.report-text', '1 号楼门口井盖松动')
    await typeInto(reports, '.report-location', '1号楼1单元门口')
    await tapOn(reports, '.add-photos')
    expect(reports.data.photos.map(p => p.path)).toEqual([photo])
    await tapOn(reports, '.file-report')
    await until(() => (reports.data.filed && reports.data.items.length === 1) || reports.data.error, 'the report')
    expect(reports.data.error).toBe('')
    expect(shown(reports)).toContain('已上报。工作人员派单处理后')
    expect(shown(reports)).toContain('状态：已上报')
    expect(shown(reports)).toContain('查看我拍的照片（1 张）')
    const report = (await worker('GET', E + '/reports', undefined, 200)).items[0]
    expect([report.text, report.location, report.photo_upload_ids]).toEqual(['1 号楼门口井盖松动', '1号楼1单元门口', [reports.data.items[0].photoIDs[0]]])
    await worker('PATCH', '/api/v1/reports/' + report.id, { status: 'assigned', assignee_id: workerUser.id }, 200)
    const fixPhoto = await staffUpload(base, workerToken, estate.id, png(20, 10))
    await worker('PATCH', '/api/v1/reports/' + report.id, { status: 'fixed', note: '井盖已更换', photo_upload_ids: [fixPhoto.id] }, 200)
    await tapOn(reports, '.reload')
    await until(() => reports.data.items.length === 1 && reports.data.items[0].canConfirm, 'the fixed report')
    expect(shown(reports)).toContain('状态：已处理')
    expect(shown(reports)).toContain('工作人员说明：井盖已更换')
    await tapOn(reports, '.show-fix')
    await until(() => (reports.data.shown[report.id + ':fix'] || []).length === 1 || reports.data.listError, 'the fix photo')
    expect(reports.data.listError).toBe('')
    const fixFile = fs.readFileSync(reports.data.shown[report.id + ':fix'][0])
    expect([fixFile.readUInt32BE(16), fixFile.readUInt32BE(20)]).toEqual([20, 10])
    await tapOn(reports, '.confirm-yes')
    await until(() => reports.data.items[0].status === '已确认' || reports.data.listError, 'the confirmed report')
    expect(reports.data.listError).toBe('')
    expect(shown(reports)).toContain('您已确认满意')
    expect(reports.querySelectorAll('.confirm-yes')).toHaveLength(0)
    const confirmed = (await worker('GET', E + '/reports?status=confirmed', undefined, 200)).items
    expect(confirmed.map(r => [r.id, r.satisfied])).toEqual([[report.id, true]])

    // The joint acceptance, with one item rectified.
    await stage('construction', 'done')
    await stage('acceptance', 'in_progress')
    const acceptance = await worker('POST', E + '/acceptances', {
      items: [{ name: '雨污分流管道', result: 'pass' }, { name: '外墙保温', result: 'rectify', note: '1 号楼东侧空鼓' }],
      signatures: [{ name: '张三丰', role: 'owner_representative' }, { name: '李四', role: 'supervisor' }, { name: '王五', role: 'builder' },
        { name: '赵六', role: 'designer' }, { name: '钱七', role: 'street_office' }]
    }, 201)
    await worker('POST', '/api/v1/acceptances/' + acceptance.id + '/items/1/rectified', { note: '已重新粘贴保温板' }, 200)
    await stage('acceptance', 'done')

    // The Xuchang satisfaction form: 满意 / 基本满意 / 不满意 per item.
    await stage('evaluation', 'in_progress')
    const satisfaction = await worker('POST', E + '/surveys', { template: 'xuchang-satisfaction' }, 201)
    await worker('POST', '/api/v1/surveys/' + satisfaction.id + '/open', undefined, 200)
    surveys = usePage(wx, base, 'surveys')
    surveys.instance.onShow()
    await until(() => surveys.data.items.length === 1, 'the satisfaction survey')
    expect(shown(surveys)).toContain('老旧小区改造满意度测评')
    expect(shown(surveys)).toContain('满意度调查，共 8 题')
    survey = usePage(wx, base, 'survey')
    await survey.instance.onLoad({ survey_id: satisfaction.id })
    await until(() => survey.data.questions.length === 8, 'the satisfaction form')
    expect(survey.data.questions.slice(0, 7).map(q => q.options.map(o => o.value))).toEqual(XUCHANG_ITEMS.map(() => ['满意', '基本满意', '不满意']))
    expect(shown(survey)).toContain('7. 总体评价（必答）')
    await tapOn(survey, '.btn-primary', '提交')
    expect(survey.data.error).toBe('第 1、2、3、4、5、6、7 题必须回答。')
    // Option j of item k is the (3k + j)-th choice: 满意 everywhere, 基本满意 for 施工进度 and overall.
    for (let k = 0; k < 7; k++) await tapOn(survey, '.choice', '', 3 * k + (k === 1 || k === 6 ? 1 : 0))
    await typeInto(survey, '.textarea', '希望加强后续管护')
    await tapOn(survey, '.btn-primary', '提交')
    await until(() => survey.data.done || survey.data.error, 'the satisfaction answer')
    expect(survey.data.error).toBe('')
    for (const [i, h] of others.slice(0, 4).entries()) {
      const overall = ['满意', '满意', '不满意', '基本满意'][i]
      await worker('PUT', '/api/v1/surveys/' + satisfaction.id + '/responses/' + h.id, {
        answers: XUCHANG_ITEMS.map(id => ({ question_id: id, choice: id === 'overall' ? overall : '满意' })) }, 200)
    }
    await worker('POST', '/api/v1/surveys/' + satisfaction.id + '/close', undefined, 200)
    results = await worker('GET', '/api/v1/surveys/' + satisfaction.id + '/results', undefined, 200)
    expect(results.responses).toBe(5)
    expect(counts(results, 'overall')).toEqual({ 满意: 2, 基本满意: 2, 不满意: 1 })
    expect(counts(results, 'progress')).toEqual({ 满意: 4, 基本满意: 1, 不满意: 0 })
    await stage('evaluation', 'done')

    // 小区公示: what the board's JSON holds, in the page's words.
    const board = await eventually(() => anonymous('GET', '/api/v1/public/estates/anju-year', undefined, 200),
      b => b.surveys.length === 2 && b.stages.find(s => s.stage === 'evaluation').status === 'done', 'the board at the end of the year')
    const home = usePage(wx, base, 'index')
    home.instance.onShow()
    await until(() => home.data.households.length === 1, 'the home page')
    expect(shown(home)).toContain('安居小区 1栋1单元101室')
    await tapOn(home, '.estate-notice')
    expect(wx.navigations.pop()).toEqual(['navigateTo', '/pages/notice/notice?code=anju-year'])
    const notice = usePage(wx, base, 'notice')
    await notice.instance.onLoad({ code: 'anju-year' })
    await until(() => notice.data.lifecycle && notice.data.lifecycle.surveys.length === 2, 'the notice page')
    const text = shown(notice)
    // Stages: all but 长效管理 done, each with its label and dates.
    expect(board.stages.map(s => [s.stage, s.status])).toEqual(['survey', 'needs', 'design', 'round1', 'revision', 'round2', 'notice',
      'construction', 'acceptance', 'evaluation', 'maintenance'].map(s => [s, s === 'maintenance' ? 'pending' : 'done']))
    for (const s of board.stages) {
      expect(text).toContain(s.label + '：' + (s.status === 'done' ? '已完成' : '未开始'))
    }
    expect(text).toContain('长效管理：未开始')
    expect(text).toMatch(/问效评价：已完成（\d{4}年\d+月\d+日 至 \d{4}年\d+月\d+日）/)
    // Events, site, reports, the rounds.
    expect(board.timeline.map(e => e.kind).sort()).toEqual(['revision_published', 'revision_published', 'round_closed', 'round_closed', 'round_opened', 'round_opened'])
    expect(text).toMatch(/\d{4}年\d+月\d+日 征询开始：第一轮方案征询/)
    expect(text).toMatch(/\d{4}年\d+月\d+日 公布方案：第 2 版：修改后方案/)
    expect(text).toContain('施工单位：安居建设公司')
    expect(text).toContain('投资预算：1,250,000.00 元')
    expect(board.reports).toEqual({ reported: 0, assigned: 0, fixed: 0, confirmed: 1 })
    expect(text).toContain('随手拍问题反映 1 件：待派单 0，处理中 0，已处理待确认 0，居民已确认 1')
    expect(text).toContain('公示期已满，结果已生效。')
    expect(text).toContain('居民担心电梯井挡窗')
    // The joint acceptance, signers masked.
    expect(board.acceptances.map(a => [a.status, a.items, a.passed, a.rectified, a.open_items.length])).toEqual([['closed', 2, 1, 1, 0]])
    expect(text).toContain('联合验收（验收完成）')
    expect(text).toContain('共 2 项：通过 1 项，整改完成 1 项，待整改 0 项')
    expect(text).toContain('签字：' + board.acceptances[0].signers.map(s => s.role_label + ' ' + s.name).join('、'))
    expect(text).toContain('业主代表 张*丰')
    expect(text).not.toContain('张三丰')
    // Both surveys' aggregates, no resident's text.
    const needsOnBoard = board.surveys.find(s => s.purpose === 'needs')
    const satisfactionOnBoard = board.surveys.find(s => s.purpose === 'satisfaction')
    expect([needsOnBoard.responses, satisfactionOnBoard.responses]).toEqual([5, 5])
    expect(text).toMatch(/改造需求调查，\d{4}年\d+月\d+日 结束，共 5 户答卷/)
    expect(text).toContain('最希望先改哪一项：加装电梯 3 户，外墙保温 0 户，雨污分流 2 户')
    expect(text).toContain('还希望增加：停车位 1 户，绿化 0 户，充电桩 0 户')
    const rating = needsOnBoard.questions.find(q => q.kind === 'rating').rating
    expect(text).toContain('现在楼道的状况：平均 ' + rating.mean + ' 分（' + rating.count + ' 户评分）')
    expect(rating.count).toBe(5)
    expect(text).toContain('总体评价：满意 2 户，基本满意 2 户，不满意 1 户')
    expect(text).toContain('施工进度：满意 4 户，基本满意 1 户，不满意 0 户')
    expect(text).not.toContain('楼道灯坏了很久')
    expect(text).not.toContain('希望加强后续管护')
  })
})

// eventually calls read() until ready(result) holds (at most 100 times,
// 100 ms apart): the scheduler and the board's one-second cache make some
// changes show a moment later.
async function eventually (read, ready, what) {
  let last
  for (let i = 0; i < 100; i++) {
    last = await read()
    if (ready(last)) return last
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error('never happened: ' + what + ': ' + JSON.stringify(last).slice(0, 2000))
}
