// 随手拍: a problem seen during construction, reported with text, where it
// is and up to 9 photos (POST /api/v1/estates/{id}/reports); the list of my
// reports in each of my estates (GET /api/v1/estates/{id}/reports, a
// resident sees their own) with the photos of the fix; and my confirmation
// once it is fixed (POST /api/v1/reports/{id}/confirmation: satisfied, or
// not satisfied with what is still wrong, which sends it back to the
// workers). Photos are uploaded one by one and remembered, so a retry sends
// only the missing ones; every write carries its action's Idempotency-Key.
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

const MAX_PHOTOS = 9
const MAX_TEXT = 1000
const MAX_LOCATION = 200
const MAX_NOTE = 500

// chars counts characters as the service does (an emoji is one).
const chars = s => Array.from(s).length

// REPORT_STATUS puts a report's status in words.
const REPORT_STATUS = { reported: '已上报', assigned: '已派单', fixed: '已处理', confirmed: '已确认' }

function toView (r, estateName) {
  let verdict = ''
  if (r.status === 'confirmed') verdict = '您已确认满意' + (r.confirm_note ? '：' + r.confirm_note : '')
  else if (r.satisfied === false) verdict = '您上次不满意：' + r.confirm_note + '（已退回重新处理）'
  return {
    id: r.id,
    estateName,
    text: r.text,
    location: r.location,
    status: format.label(REPORT_STATUS, r.status),
    createdAt: format.beijingTime(r.created_at),
    fixedAt: r.fixed_at ? format.beijingTime(r.fixed_at) : '',
    staffNote: r.note || '',
    photoIDs: r.photo_upload_ids || [],
    fixPhotoIDs: r.fix_photo_upload_ids || [],
    verdict,
    canConfirm: r.status === 'fixed'
  }
}

Component({
  data: {
    estates: [], estateIndex: 0, text: '', location: '',
    photos: [], // {path, uploadID}
    maxPhotos: MAX_PHOTOS, busy: false, error: '', filed: '', actionKey: '',
    items: [], loading: false, listError: '', busyID: '', keys: {}, notes: {}, shown: {}
  },
  methods: {
    async onLoad () {
      try {
        const me = await api().get('/api/v1/me')
        const estates = []
        for (const h of (me.resident && me.resident.households) || []) {
          if (!estates.some(e => e.id === h.estate_id)) estates.push({ id: h.estate_id, name: h.estate_name })
        }
        this.setData({ estates })
        if (!estates.length) return this.setData({ error: '请先绑定房屋，再随手拍。' })
        await this.load()
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    // load reads my reports in each of my estates, newest first.
    async load () {
      this.setData({ loading: true, listError: '' })
      try {
        const items = []
        for (const estate of this.data.estates) {
          let cursor = ''
          do {
            const res = await api().get('/api/v1/estates/' + encodeURIComponent(estate.id) + '/reports?limit=100' +
              (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''))
            for (const r of res.items || []) items.push(Object.assign(toView(r, estate.name), { sortKey: r.created_at }))
            cursor = res.next_cursor || ''
          } while (cursor)
        }
        items.sort((a, b) => (a.sortKey < b.sortKey ? 1 : a.sortKey > b.sortKey ? -1 : 0))
        this.setData({ items })
      } catch (e) {
        this.setData({ listError: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    changed (patch) {
      this.setData(Object.assign({ actionKey: '', filed: '' }, patch))
    },
    chooseEstate (e) { this.changed({ estateIndex: Number(e.currentTarget.dataset.index) }) },
    onText (e) { this.changed({ text: e.detail.value }) },
    onLocation (e) { this.changed({ location: e.detail.value }) },
    addPhotos () {
      const room = MAX_PHOTOS - this.data.photos.length
      if (room <= 0) return this.setData({ error: '最多 9 张照片。' })
      wx.chooseMedia({
        count: room,
        mediaType: ['image'],
        sourceType: ['camera', 'album'],
        sizeType: ['compressed'],
        success: res => {
          const added = (res.tempFiles || []).map(f => ({ path: f.tempFilePath, uploadID: '' }))
          this.changed({ photos: this.data.photos.concat(added).slice(0, MAX_PHOTOS), error: '' })
        }
      })
    },
    removePhoto (e) {
      const photos = this.data.photos.slice()
      photos.splice(Number(e.currentTarget.dataset.index), 1)
      this.changed({ photos })
    },
    async submit () {
      if (this.data.busy) return
      const estate = this.data.estates[this.data.estateIndex]
      const text = String(this.data.text || '').trim()
      const location = String(this.data.location || '').trim()
      if (!estate) return this.setData({ error: '请先绑定房屋，再随手拍。' })
      if (!text) return this.setData({ error: '请写下您看到的问题。' })
      if (chars(text) > MAX_TEXT) return this.setData({ error: '问题描述最多 1000 个字。' })
      if (!location) return this.setData({ error: '请写明问题在哪里，例如：3号楼2单元门口。' })
      if (chars(location) > MAX_LOCATION) return this.setData({ error: '位置最多 200 个字。' })
      const key = this.data.actionKey || newIdempotencyKey()
      this.setData({ busy: true, error: '', filed: '', actionKey: key })
      try {
        const photos = this.data.photos.slice()
        for (let i = 0; i < photos.length; i++) {
          if (photos[i].uploadID) continue
          const up = await api().upload(photos[i].path, estate.id)
          photos[i] = { path: photos[i].path, uploadID: up.id }
          this.setData({ photos })
        }
        const body = { text, location }
        if (photos.length) body.photo_upload_ids = photos.map(p => p.uploadID)
        await api().post('/api/v1/estates/' + encodeURIComponent(estate.id) + '/reports', body, { idempotencyKey: key })
        this.setData({ text: '', location: '', photos: [], actionKey: '', filed: '已上报。工作人员派单处理后，您可以在下面看到处理结果并确认。' })
        await this.load()
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    // showPhotos downloads my photos (data-kind "mine") or the photos of the
    // fix ("fix") of one report, with my token, and shows them under it.
    async showPhotos (e) {
      const { id, kind } = e.currentTarget.dataset
      const it = this.data.items.find(x => x.id === id)
      if (!it || this.data.busyID) return
      this.setData({ busyID: id, listError: '' })
      try {
        const paths = []
        for (const uploadID of kind === 'fix' ? it.fixPhotoIDs : it.photoIDs) {
          paths.push(await api().download('/api/v1/uploads/' + encodeURIComponent(uploadID)))
        }
        this.setData({ shown: Object.assign({}, this.data.shown, { [id + ':' + kind]: paths }) })
      } catch (err) {
        this.setData({ listError: err.message })
      } finally {
        this.setData({ busyID: '' })
      }
    },
    // onNote keeps what is still wrong; a changed note is a new action.
    onNote (e) {
      const id = e.currentTarget.dataset.id
      const keys = Object.assign({}, this.data.keys)
      delete keys[id + ':true']
      delete keys[id + ':false']
      this.setData({ notes: Object.assign({}, this.data.notes, { [id]: e.detail.value }), keys })
    },
    async confirm (e) {
      if (this.data.busyID) return
      const id = e.currentTarget.dataset.id
      const satisfied = e.currentTarget.dataset.satisfied === true || e.currentTarget.dataset.satisfied === 'true'
      const note = String(this.data.notes[id] || '').trim()
      if (!satisfied && !note) return this.setData({ listError: '请写下哪里还没处理好，工作人员会再来处理。' })
      if (chars(note) > MAX_NOTE) return this.setData({ listError: '补充的话最多 500 个字。' })
      const keyName = id + ':' + satisfied
      const keys = Object.assign({}, this.data.keys)
      keys[keyName] = keys[keyName] || newIdempotencyKey()
      this.setData({ busyID: id, listError: '', keys })
      try {
        const body = { satisfied }
        if (note) body.note = note
        await api().post('/api/v1/reports/' + encodeURIComponent(id) + '/confirmation', body, { idempotencyKey: keys[keyName] })
        this.setData({ busyID: '' })
        await this.load()
      } catch (err) {
        // A report no longer fixed (409 report_not_fixed) changed meanwhile:
        // show its current state under the message.
        if (err.status === 409) {
          this.setData({ busyID: '' })
          await this.load()
        }
        this.setData({ listError: err.message })
      } finally {
        this.setData({ busyID: '' })
      }
    }
  }
})
