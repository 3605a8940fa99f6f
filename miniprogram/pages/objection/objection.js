// 提意见: an objection to the plan with its category, the plan item
// it is about and up to 9 photos. Photos are uploaded one by one (POST
// /api/v1/uploads, part "file") and remembered, so a retry after a failure
// sends only the ones still missing; the objection itself carries the action's
// Idempotency-Key.
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

const MAX_PHOTOS = 9

Component({
  data: {
    households: [], householdIndex: 0, roundID: '',
    categories: format.CATEGORIES, category: '', planItem: '', content: '',
    photos: [], // {path, uploadID}
    maxPhotos: MAX_PHOTOS, busy: false, error: '', done: false, actionKey: ''
  },
  methods: {
    async onLoad (options) {
      options = options || {}
      this.setData({ roundID: options.round_id || '' })
      try {
        const me = await api().get('/api/v1/me')
        const households = ((me.resident && me.resident.households) || []).map(h => ({
          id: h.id, estateID: h.estate_id, text: h.estate_name + ' ' + format.address(h)
        }))
        let index = households.findIndex(h => h.id === options.household_id)
        if (index < 0) index = Math.max(0, households.findIndex(h => h.estateID === options.estate_id))
        this.setData({ households, householdIndex: index })
        if (!households.length) this.setData({ error: '请先绑定房屋，再提意见。' })
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    changed (patch) {
      this.setData(Object.assign({ actionKey: '' }, patch))
    },
    chooseHousehold (e) { this.changed({ householdIndex: Number(e.currentTarget.dataset.index) }) },
    chooseCategory (e) { this.changed({ category: e.currentTarget.dataset.value }) },
    onPlanItem (e) { this.changed({ planItem: e.detail.value }) },
    onContent (e) { this.changed({ content: e.detail.value }) },
    addPhotos () {
      const room = MAX_PHOTOS - this.data.photos.length
      if (room <= 0) {
        this.setData({ error: '最多 9 张照片。' })
        return
      }
      wx.chooseMedia({
        count: room,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
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
      const household = this.data.households[this.data.householdIndex]
      const content = String(this.data.content || '').trim()
      if (!household) return this.setData({ error: '请先绑定房屋，再提意见。' })
      if (!this.data.category) return this.setData({ error: '请选择意见的类别。' })
      if (!content) return this.setData({ error: '请写下您的意见。' })
      const key = this.data.actionKey || newIdempotencyKey()
      this.setData({ busy: true, error: '', actionKey: key })
      try {
        const photos = this.data.photos.slice()
        for (let i = 0; i < photos.length; i++) {
          if (photos[i].uploadID) continue
          const up = await api().upload(photos[i].path, household.estateID)
          photos[i] = { path: photos[i].path, uploadID: up.id }
          this.setData({ photos })
        }
        const body = { household_id: household.id, category: this.data.category, content }
        if (this.data.roundID) body.round_id = this.data.roundID
        const planItem = String(this.data.planItem || '').trim()
        if (planItem) body.plan_item = planItem
        if (photos.length) body.photos = photos.map(p => p.uploadID)
        await api().post('/api/v1/estates/' + encodeURIComponent(household.estateID) + '/objections', body, { idempotencyKey: key })
        this.setData({ done: true, actionKey: '' })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    goList () {
      wx.redirectTo({ url: '/pages/objections/objections' })
    }
  }
})
