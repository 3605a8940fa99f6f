// 我的意见: my objections with the designers' answers, and my confirmation of
// the follow-up (PUT /api/v1/objections/{id}/my-confirmation).
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

// What happened to an objection, in words (history kinds of GET /objections/{id}).
const EVENT_KINDS = { filed: '提交意见', assigned: '指定负责人', answered: '答复', amended: '修改答复', closed: '回访办结', confirmed: '本人确认' }
const OUTCOMES = { adopted: '采纳', partially_adopted: '部分采纳', not_adopted: '不采纳' }

function eventView (e, i) {
  const who = e.actor && e.actor.role === 'resident' ? '本人' : format.staffName(e.actor)
  let detail = ''
  if (e.outcome) detail = format.label(OUTCOMES, e.outcome) + (e.explanation ? '：' + e.explanation : '')
  else if (typeof e.satisfied === 'boolean') detail = (e.satisfied ? '满意' : '不满意') + (e.note ? '：' + e.note : '')
  return { key: i, at: format.beijingTime(e.recorded_at), what: EVENT_KINDS[e.kind] || '处理', who, detail }
}

function toView (o) {
  const a = o.answer
  // The objector's own confirmation: `confirmation` ({satisfied, note,
  // confirmed_at}) as the dispute table names it (`my_confirmation` read too).
  const mine = o.confirmation || o.my_confirmation || null
  return {
    id: o.id,
    category: o.category_label || format.label(Object.fromEntries(format.CATEGORIES.map(c => [c.value, c.label])), o.category),
    planItem: o.plan_item || '',
    content: o.content,
    status: format.label(format.OBJECTION_STATUS, o.status),
    createdAt: format.beijingTime(o.created_at),
    dueAt: format.beijingTime(o.due_at),
    overdue: !!o.overdue && !a,
    handler: format.staffName(o.handler),
    answer: a ? { outcome: a.outcome_label || a.outcome, explanation: a.explanation, at: format.beijingTime(a.answered_at), by: format.staffName(a.answered_by) } : null,
    followUp: o.follow_up ? { satisfied: o.follow_up.satisfied, note: o.follow_up.note, by: format.staffName(o.follow_up.closed_by) } : null,
    confirmed: mine ? (mine.satisfied ? '满意' : '不满意') + (mine.note ? '：' + mine.note : '') : '',
    canConfirm: !!a && !mine,
    photos: (o.photos || []).length,
    photoIDs: o.photos || []
  }
}

Component({
  data: { items: [], loading: false, error: '', empty: false, busyID: '', keys: {}, notes: {}, shown: {}, histories: {} },
  methods: {
    onShow () {
      this.load()
    },
    async load () {
      this.setData({ loading: true, error: '' })
      try {
        const res = await api().get('/api/v1/me/objections')
        const items = (res.items || []).map(toView)
        this.setData({ items, empty: items.length === 0 })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    // showHistory reads one of my objections in full (GET /objections/{id})
    // and shows what happened to it, step by step.
    async showHistory (e) {
      const id = e.currentTarget.dataset.id
      if (this.data.busyID) return
      this.setData({ busyID: id, error: '' })
      try {
        const o = await api().get('/api/v1/objections/' + encodeURIComponent(id))
        this.setData({ histories: Object.assign({}, this.data.histories, { [id]: (o.history || []).map(eventView) }) })
      } catch (err) {
        this.setData({ error: err.message })
      } finally {
        this.setData({ busyID: '' })
      }
    },
    // showPhotos downloads the photos of one of my objections (with my token)
    // and shows them under it.
    async showPhotos (e) {
      const id = e.currentTarget.dataset.id
      const it = this.data.items.find(x => x.id === id)
      if (!it || this.data.busyID) return
      this.setData({ busyID: id, error: '' })
      try {
        const paths = []
        for (const uploadID of it.photoIDs) paths.push(await api().download('/api/v1/uploads/' + encodeURIComponent(uploadID)))
        this.setData({ shown: Object.assign({}, this.data.shown, { [id]: paths }) })
      } catch (err) {
        this.setData({ error: err.message })
      } finally {
        this.setData({ busyID: '' })
      }
    },
    // onNote keeps what the resident adds to a confirmation; a changed note is
    // a new action (new Idempotency-Keys for that objection).
    onNote (e) {
      const id = e.currentTarget.dataset.id
      const notes = Object.assign({}, this.data.notes, { [id]: e.detail.value })
      const keys = Object.assign({}, this.data.keys)
      delete keys[id + ':true']
      delete keys[id + ':false']
      this.setData({ notes, keys })
    },
    async confirm (e) {
      if (this.data.busyID) return
      const { id, satisfied } = e.currentTarget.dataset
      const keyName = id + ':' + satisfied
      const keys = Object.assign({}, this.data.keys)
      keys[keyName] = keys[keyName] || newIdempotencyKey()
      this.setData({ busyID: id, error: '', keys })
      try {
        const body = { satisfied: satisfied === true || satisfied === 'true' }
        const note = String(this.data.notes[id] || '').trim()
        if (note) body.note = note
        await api().put('/api/v1/objections/' + encodeURIComponent(id) + '/my-confirmation', body, { idempotencyKey: keys[keyName] })
        await this.load()
      } catch (err) {
        this.setData({ error: err.message })
      } finally {
        this.setData({ busyID: '' })
      }
    },
    newObjection () {
      wx.navigateTo({ url: '/pages/objection/objection' })
    }
  }
})
