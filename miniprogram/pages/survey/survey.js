// 填写问卷: one survey (GET /api/v1/surveys/{id}) answered for my household
// (PUT /api/v1/surveys/{id}/my-response, one response per household that can
// be changed while the survey is open). Opened with ?survey_id= from 问卷调查.
// Questions are single or multiple choice (the option's text is sent), a
// rating from 1 to 5, or free text.
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

const RATINGS = [1, 2, 3, 4, 5]
const CLOSED = '这份问卷已经截止，不能再填写。'

// questionViews shapes the questions with the answers given so far.
function questionViews (questions, answers) {
  return questions.map((q, i) => {
    const a = answers[q.id] || {}
    return {
      id: q.id,
      number: i + 1,
      kind: q.kind,
      text: q.text,
      required: !!q.required,
      hint: { single: '单选', multiple: '可多选', rating: '1 分最低，5 分最高', text: '请填写' }[q.kind] || '',
      options: (q.options || []).map(o => ({ value: o, on: q.kind === 'multiple' ? (a.choices || []).includes(o) : a.choice === o })),
      ratings: RATINGS.map(r => ({ value: r, on: a.rating === r })),
      answer: a.text || ''
    }
  })
}

// fieldProblems turns the service's field errors of a refused response
// ("answers[1].rating", "answers.q3") into "第 2 题：…" lines, naming the
// question by its number; sent are the answers as they were sent.
function fieldProblems (fields, sent, questions) {
  const number = qid => questions.findIndex(q => q.id === qid) + 1
  const lines = []
  for (const [field, reason] of Object.entries(fields || {})) {
    let m = field.match(/^answers\[(\d+)\]/)
    let n = m && sent[Number(m[1])] ? number(sent[Number(m[1])].question_id) : 0
    if (!m && (m = field.match(/^answers\.(.+)$/))) n = number(m[1])
    lines.push((n > 0 ? '第 ' + n + ' 题：' : '') + reason)
  }
  return lines.sort()
}

// answered tells whether a question has an answer.
function answered (q, a) {
  if (!a) return false
  if (q.kind === 'single') return !!a.choice
  if (q.kind === 'multiple') return (a.choices || []).length > 0
  if (q.kind === 'rating') return a.rating >= 1
  return String(a.text || '').trim() !== ''
}

Component({
  data: { surveyID: '', title: '', purpose: '', closesAt: '', questions: [], households: [], householdIndex: 0,
    busy: false, error: '', done: false, loading: false, actionKey: '', answeredBefore: false, closed: false },
  methods: {
    async onLoad (options) {
      this.raw = []
      this.answers = {}
      this.setData({ surveyID: (options && options.survey_id) || '', loading: true })
      try {
        const client = api()
        const [survey, mine, me] = await Promise.all([
          client.get('/api/v1/surveys/' + encodeURIComponent(this.data.surveyID)),
          client.get('/api/v1/me/surveys'),
          client.get('/api/v1/me')
        ])
        this.raw = survey.questions || []
        const households = ((me.resident && me.resident.households) || []).filter(h => h.estate_id === survey.estate_id)
          .map(h => ({ id: h.id, text: format.address(h) }))
        const listed = (mine.items || []).find(s => s.id === survey.id)
        const previous = listed && (listed.my_responses || [])[0]
        if (previous) {
          for (const a of previous.answers || []) this.answers[a.question_id] = a
        }
        const hIndex = previous ? Math.max(0, households.findIndex(h => h.id === previous.household_id)) : 0
        this.setData({ title: survey.title, purpose: format.label(format.SURVEY_PURPOSES, survey.purpose),
          closesAt: format.beijingTime(survey.closes_at), households, householdIndex: hIndex,
          questions: questionViews(this.raw, this.answers), answeredBefore: !!previous, closed: survey.status !== 'open',
          error: survey.status === 'open' ? '' : CLOSED })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    changed (qid, patch) {
      this.answers[qid] = Object.assign({ question_id: qid }, this.answers[qid], patch)
      this.setData({ questions: questionViews(this.raw, this.answers), actionKey: '', error: '', done: false })
    },
    choose (e) {
      const { qid, value } = e.currentTarget.dataset
      const q = this.raw.find(x => x.id === qid)
      if (q.kind === 'multiple') {
        const now = (this.answers[qid] && this.answers[qid].choices) || []
        this.changed(qid, { choices: now.includes(value) ? now.filter(v => v !== value) : now.concat([value]) })
      } else {
        this.changed(qid, { choice: value })
      }
    },
    rate (e) {
      const { qid, value } = e.currentTarget.dataset
      this.changed(qid, { rating: Number(value) })
    },
    onText (e) {
      this.changed(e.currentTarget.dataset.qid, { text: e.detail.value })
    },
    chooseHousehold (e) {
      this.setData({ householdIndex: Number(e.currentTarget.dataset.index), actionKey: '' })
    },
    async submit () {
      if (this.data.busy) return
      const missing = this.raw.filter(q => q.required && !answered(q, this.answers[q.id])).map(q => this.raw.indexOf(q) + 1)
      if (missing.length) {
        this.setData({ error: '第 ' + missing.join('、') + ' 题必须回答。' })
        return
      }
      const answers = this.raw.filter(q => answered(q, this.answers[q.id])).map(q => {
        const a = this.answers[q.id]
        const out = { question_id: q.id }
        if (q.kind === 'single') out.choice = a.choice
        else if (q.kind === 'multiple') out.choices = a.choices
        else if (q.kind === 'rating') out.rating = a.rating
        else out.text = String(a.text).trim()
        return out
      })
      const body = { answers }
      const household = this.data.households[this.data.householdIndex]
      if (household) body.household_id = household.id
      // One key per action: kept when the resident taps 提交 again after a failure.
      const key = this.data.actionKey || newIdempotencyKey()
      this.setData({ busy: true, error: '', actionKey: key })
      try {
        await api().put('/api/v1/surveys/' + encodeURIComponent(this.data.surveyID) + '/my-response', body, { idempotencyKey: key })
        this.setData({ done: true, actionKey: '' })
      } catch (e) {
        if (e.status === 409 && e.code === 'survey_not_open') {
          // Closed meanwhile (by the staff or at its deadline): nothing was saved.
          this.setData({ closed: true, actionKey: '', error: '这份问卷已经截止，这次的回答没有保存。' })
        } else if (e.status === 422 && e.fields) {
          this.setData({ error: e.message + '：' + fieldProblems(e.fields, answers, this.raw).join('；') })
        } else {
          this.setData({ error: e.message })
        }
      } finally {
        this.setData({ busy: false })
      }
    }
  }
})
