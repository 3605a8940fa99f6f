// 对结果有异议: during a closed round's notice period (公示期) a resident of a
// household in its electorate objects to the result in writing
// (POST /api/v1/rounds/{id}/result-objections) and sees the objections they
// filed with the answers (GET, residents see their own). Opened from 我的征询
// with round_id, household_id, title and ends (the period's end, as shown).
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

function toView (o) {
  return {
    id: o.id,
    text: o.text,
    at: format.beijingTime(o.created_at),
    status: format.label(format.RESULT_OBJECTION_STATUS, o.status),
    outcome: o.outcome ? format.label(format.RESULT_OBJECTION_OUTCOMES, o.outcome) : '',
    explanation: o.explanation || '',
    answeredAt: format.beijingTime(o.resolved_at)
  }
}

Component({
  data: { roundID: '', householdID: '', title: '', ends: '', text: '', items: [], busy: false, error: '', done: false, over: false, actionKey: '' },
  methods: {
    onLoad (options) {
      const o = options || {}
      const decode = v => { try { return decodeURIComponent(v || '') } catch (e) { return v || '' } }
      this.setData({ roundID: o.round_id || '', householdID: o.household_id || '', title: decode(o.title), ends: decode(o.ends) })
      return this.load()
    },
    async load () {
      if (!this.data.roundID) return
      try {
        const res = await api().get('/api/v1/rounds/' + encodeURIComponent(this.data.roundID) + '/result-objections')
        this.setData({ items: (res.items || []).map(toView) })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    onText (e) {
      this.setData({ text: e.detail.value, actionKey: '' })
    },
    async submit () {
      if (this.data.busy) return
      const text = String(this.data.text || '').trim()
      if (!text) {
        this.setData({ error: '请写下您对结果的异议和理由。' })
        return
      }
      // One key per action: kept when the resident taps 提交 again after a failure.
      const key = this.data.actionKey || newIdempotencyKey()
      this.setData({ busy: true, error: '', actionKey: key })
      const body = { text }
      if (this.data.householdID) body.household_id = this.data.householdID
      try {
        await api().post('/api/v1/rounds/' + encodeURIComponent(this.data.roundID) + '/result-objections', body, { idempotencyKey: key })
        this.setData({ done: true, text: '', actionKey: '' })
        await this.load()
      } catch (e) {
        this.setData({ error: e.message, over: e.code === 'notice_period_over' })
      } finally {
        this.setData({ busy: false })
      }
    },
    goRounds () {
      wx.navigateBack()
    }
  }
})
