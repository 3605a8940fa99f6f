// 我的意见: my objections with the designers' answers, and my confirmation of
// the follow-up (PUT /api/v1/objections/{id}/my-confirmation).
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

function toView (o) {
  const a = o.answer
  const mine = o.my_confirmation
  return {
    id: o.id,
    category: o.category_label || format.label(Object.fromEntries(format.CATEGORIES.map(c => [c.value, c.label])), o.category),
    planItem: o.plan_item || '',
    content: o.content,
    status: format.label(format.OBJECTION_STATUS, o.status),
    createdAt: format.beijingTime(o.created_at),
    dueAt: format.beijingTime(o.due_at),
    answer: a ? { outcome: a.outcome_label || a.outcome, explanation: a.explanation, at: format.beijingTime(a.answered_at), by: format.staffName(a.answered_by) } : null,
    followUp: o.follow_up ? { satisfied: o.follow_up.satisfied, note: o.follow_up.note, by: format.staffName(o.follow_up.closed_by) } : null,
    confirmed: mine ? (mine.satisfied ? '满意' : '不满意') : '',
    canConfirm: !!a && !mine,
    photos: (o.photos || []).length,
    photoIDs: o.photos || []
  }
}

Component({
  data: { items: [], loading: false, error: '', empty: false, busyID: '', keys: {}, notes: {}, shown: {} },
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
