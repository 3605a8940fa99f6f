// 登录: wx.login, then POST /api/v1/auth/wechat; the request layer keeps the tokens.
const api = require('../../lib/client.js')

Component({
  data: { busy: false, error: '', next: '' },
  methods: {
    onLoad (options) {
      this.setData({ next: (options && options.next) ? decodeURIComponent(options.next) : '' })
    },
    async login () {
      if (this.data.busy) return
      this.setData({ busy: true, error: '' })
      try {
        const res = await api().login()
        const households = (res.resident && res.resident.households) || []
        const next = this.data.next || (households.length ? '/pages/rounds/rounds' : '/pages/bind/bind')
        wx.redirectTo({ url: next })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ busy: false })
      }
    }
  }
})
