// 小区公示 from a code or a scanned notice QR code.
const { renderPage, waitFor, text } = require('./page-helpers.js')
const { ok, fail } = require('./wx-mock.js')

const board = {
  estate: { code: 'xingfu', name: '幸福小区', district: '魏都区', street: '西大街', contact_phone: '0374-1234567' },
  current_revision: { version: 2, title: '方案第二版', summary: '电梯改到北侧', changes: '电梯井北移两米', published_at: '2026-11-20T02:00:00Z' },
  rounds: [{ id: 'R1', title: '加装电梯方案征询', status: 'closed', passed: true, rule: { description: '两个80%' },
    electorate: { households: 40 }, participated: { households: 36 },
    decisions: { agree: { households: 30 }, disagree: { households: 4 }, abstain: { households: 2 } },
    checks: [{ label: '参与户数≥80%', actual: '90.00%', passed: true }], counted_receipts: ['ABCD-EFGH-IJKL-MNOP'] }],
  answers: [{ category_label: '加装电梯', plan_item: '电梯位置', public_summary: '担心电梯井挡住采光', outcome_label: '部分采纳', explanation: '北移两米',
    answered_by: { role: 'designer', display_name: '设计师' } }]
}

test('opened from the notice QR code it shows the board of that estate', async () => {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(board))
  const page = renderPage('notice')
  await page.instance.onLoad({ q: encodeURIComponent('https://minyi.example.gov.cn/notice/xingfu') })
  await waitFor(() => page.data.estate)
  const shown = text(page)
  expect(shown).toContain('幸福小区')
  expect(shown).toContain('咨询电话：0374-1234567')
  expect(shown).toContain('本版修改：电梯井北移两米')
  expect(shown).toContain('已结束（公示中），结果：通过')
  expect(shown).toContain('已表态 36 户 / 共 40 户')
  expect(shown).toContain('同意 30 户，不同意 4 户，弃权 2 户')
  expect(shown).toContain('✔ 参与户数≥80%：90.00%')
  expect(shown).toContain('部分采纳：北移两米')
  expect(shown).toContain('意见摘要：担心电梯井挡住采光') // the answerer's summary, never the resident's text
  expect(shown).toContain('核验我的回执（已公布 1 条）')
  expect(wx.calls[0].header.Authorization).toBeUndefined()
})

test('an open round under 5 households shows no split (the board leaves it out)', async () => {
  wx.route('GET /api/v1/public/estates/small', () => ok({ estate: { name: '小院' }, rounds: [{ id: 'R', title: '征询', status: 'open',
    electorate: { households: 4 }, participated: { households: 2 }, split_hidden: true, decisions: null, passed: null, shortfall: null,
    checks: [], as_of: '2026-11-30T02:00:00Z' }] }))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'small' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('已表态 2 户 / 共 4 户')
  expect(text(page)).not.toContain('同意')
  expect(text(page)).not.toContain('结果：') // passed is null while open: no result
  expect(text(page)).toContain('征询结束前不公布分项数字')
  expect(text(page)).toMatch(/统计截至 (11月30日 )?10:00（征询期间定时更新/)
})

test('a closed round shows its notice period, an early close\'s reason, and then its finality or voiding', async () => {
  const ends = new Date(Date.now() + 2 * 86400000).toISOString()
  const closedRound = Object.assign({}, board.rounds[0], { as_of: '2026-11-30T02:00:00Z', shortfall: null,
    notice_period: { ends_at: ends, final: false, voided: false, close_reason: '全部住户已表态' } })
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [closedRound] })))
  let page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  let shown = text(page)
  expect(shown).toContain('公示期：至 ' + require('../lib/format.js').beijingTime(ends) + '（北京时间），对结果有异议可在公示期内')
  expect(shown).toContain('提前结束的理由：全部住户已表态')
  expect(shown).not.toContain('统计截至') // the final result is no snapshot

  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [Object.assign({}, closedRound, { status: 'final',
    notice_period: { ends_at: '2026-11-01T00:00:00Z', final: true, voided: false } })] })))
  page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  shown = text(page)
  expect(shown).toContain('结果已生效，结果：通过')
  expect(shown).toContain('公示期已满，结果已生效。')
  expect(shown).not.toContain('公示期：')

  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [Object.assign({}, closedRound, { status: 'voided',
    notice_period: { ends_at: ends, final: false, voided: true, voided_explanation: '3户纸质签字无法核实' } })] })))
  page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('本轮结果已作废：3户纸质签字无法核实')
  expect(text(page)).not.toContain('结果：通过') // a voided result no longer counts
})

test('an open round shows the shortfall in words', async () => {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { rounds: [Object.assign({}, board.rounds[0], {
    status: 'open', passed: false, as_of: '2026-11-30T02:00:00Z', shortfall: { agree_households_needed: null, possible: false, changes_needed: 4 } })] })))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.rounds.length === 1)
  expect(text(page)).toContain('还需要 4 户把不同意或弃权改为同意')
  expect(text(page)).not.toContain('结果：')
})

test('an unknown estate is explained', async () => {
  wx.route('GET /api/v1/public/estates/nope', () => fail(404, 'estate_not_found'))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'nope' })
  await waitFor(() => page.data.error !== '')
  expect(text(page)).toContain('没有找到这个小区的公示')
})

test('the renovation around the vote: stages, events, site, joint acceptance, problem reports and closed surveys', async () => {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, {
    stages: [
      { stage: 'needs', label: '问需', status: 'done', started_at: '2026-03-01T02:00:00Z', finished_at: '2026-03-20T02:00:00Z', note: '' },
      { stage: 'construction', label: '施工', status: 'in_progress', started_at: '2026-09-30T17:00:00Z', finished_at: null, note: '东侧先开工' },
      { stage: 'maintenance', label: '长效管护', status: 'pending', started_at: null, finished_at: null, note: '' }
    ],
    timeline: [{ at: '2026-05-01T02:00:00Z', kind: 'round_opened', title: '第一轮方案征询' }, { at: '2026-05-10T02:00:00Z', kind: 'revision_published', title: '第 2 版：修改后方案' }],
    site: { builder: '幸福建设公司', supervising_unit: '', designer_unit: '幸福设计院', starts_on: '2027-03-01', ends_on: '2027-09-30', budget_fen: 358000005, contact_phone: '0715-8123456' },
    acceptances: [{ at: '2026-12-01T02:00:00Z', status: 'open', items: 3, passed: 1, rectified: 1,
      open_items: [{ name: '外墙保温', note: '3 号楼东侧空鼓' }],
      signers: [{ role: 'owner_representative', role_label: '业主代表', name: '张*丰' }, { role: 'street_office', role_label: '街道办', name: '钱*' }] }],
    reports: { reported: 1, assigned: 0, fixed: 2, confirmed: 3 },
    surveys: [{ title: '改造需求调查', purpose: 'needs', closed_at: '2026-03-20T02:00:00Z', responses: 6, questions: [
      { text: '最想改什么', kind: 'single', answered: 6, options: [{ option: '加装电梯', count: 4 }, { option: '外墙保温', count: 2 }] },
      { text: '楼道现状', kind: 'rating', answered: 6, rating: { count: 6, sum: 18, mean: '3.00', counts: [] } },
      { text: '其他意见', kind: 'text', answered: 2 }
    ] }]
  })))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.lifecycle)
  const shown = text(page)
  expect(shown).toContain('改造进度')
  expect(shown).toContain('问需：已完成（2026年3月1日 至 2026年3月20日）')
  expect(shown).toContain('施工：进行中（2026年10月1日 开始），东侧先开工') // 17:00 UTC is the next day in Beijing
  expect(shown).toContain('长效管护：未开始')
  expect(shown).toContain('施工单位：幸福建设公司')
  expect(shown).not.toContain('监理单位') // not set: no empty line
  expect(shown).toContain('工期：2027-03-01 至 2027-09-30')
  expect(shown).toContain('投资预算：3,580,000.05 元')
  expect(shown).toContain('2026年5月1日 征询开始：第一轮方案征询')
  expect(shown).toContain('2026年5月10日 公布方案：第 2 版：修改后方案')
  expect(shown).toContain('随手拍问题反映 6 件：待派单 1，处理中 0，已处理待确认 2，居民已确认 3')
  expect(shown).toContain('2026年12月1日 联合验收（有待整改项）')
  expect(shown).toContain('共 3 项：通过 1 项，整改完成 1 项，待整改 1 项')
  expect(shown).toContain('待整改：外墙保温：3 号楼东侧空鼓')
  expect(shown).toContain('签字：业主代表 张*丰、街道办 钱*')
  expect(shown).toContain('改造需求调查，2026年3月20日 结束，共 6 户答卷')
  expect(shown).toContain('最想改什么：加装电梯 4 户，外墙保温 2 户')
  expect(shown).toContain('楼道现状：平均 3.00 分（6 户评分）')
  expect(shown).toContain('其他意见：2 户填写了意见（文字内容不公开）')
})

test('a board without the lifecycle sections shows none of their headings', async () => {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(Object.assign({}, board, { stages: [], timeline: [], site: null, acceptances: [],
    reports: { reported: 0, assigned: 0, fixed: 0, confirmed: 0 }, surveys: [] })))
  const page = renderPage('notice')
  await page.instance.onLoad({ code: 'xingfu' })
  await waitFor(() => page.data.lifecycle)
  const shown = text(page)
  for (const heading of ['改造进度', '大事记', '工程信息', '随手拍', '联合验收', '问卷结果']) expect(shown).not.toContain(heading)
  expect(shown).toContain('幸福小区')
})
