// 首页: my households and big buttons to every page (no gestures needed).
const api = require('../../lib/client.js')
const format = require('../../lib/format.js')

Component({
  data: { loggedIn: false, households: [], error: '', loading: false },
  methods: {
    onShow () {
      const loggedIn = api().loggedIn()
      this.setData({ loggedIn })
      if (loggedIn) this.load()
    },
    async load () {
      this.setData({ loading: true, error: '' })
      try {
        const me = await api().get('/api/v1/me')
        const households = ((me.resident && me.resident.households) || []).map(h => ({
          id: h.id, estateName: h.estate_name, estateCode: h.estate_code, address: format.address(h),
          relation: (format.RELATIONS.find(r => r.value === h.relation) || {}).label || '',
          isSigner: !!h.is_signer
        }))
        this.setData({ households, loggedIn: true })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    go (e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    }
  }
})
