// 首页: my households and big buttons to every page (no gestures needed).
const api = require('../../lib/client.js')
const format = require('../../lib/format.js')

Component({
  data: { loggedIn: false, households: [], phone: '', error: '', message: '', loading: false, busy: false },
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
        this.setData({ households, phone: (me.resident && me.resident.phone) || '', loggedIn: true })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    // onPhone receives the code of WeChat's getPhoneNumber button and lets
    // the service look the number up (POST /api/v1/me/phone), so community
    // workers can call back.
    async onPhone (e) {
      const code = e.detail && e.detail.code
      if (!code) {
        this.setData({ message: '', error: '没有获得手机号。需要时可以再点“登记手机号”。' })
        return
      }
      if (this.data.busy) return
      this.setData({ busy: true, error: '', message: '' })
      try {
        const res = await api().post('/api/v1/me/phone', { code })
        this.setData({ phone: res.phone || '', message: '手机号已登记。' })
      } catch (err) {
        this.setData({ error: err.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    // logout ends the session (the service revokes the tokens) after a confirmation.
    logout () {
      wx.showModal({
        title: '退出登录',
        content: '确定退出登录吗？退出后再次使用需要重新登录。',
        confirmText: '退出',
        cancelText: '不退出',
        success: async res => {
          if (!res.confirm) return
          await api().logout()
          this.setData({ loggedIn: false, households: [], phone: '', message: '已退出登录。' })
        }
      })
    },
    go (e) {
      wx.navigateTo({ url: e.currentTarget.dataset.url })
    }
  }
})
