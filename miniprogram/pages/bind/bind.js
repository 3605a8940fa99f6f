// 绑定房屋: type the binding code from the community worker, or open the page
// from the mini-program code on the binding slip (scene = the code); choose
// how I relate to the household. Path pages/bind/bind is fixed: the service
// asks WeChat for mini-program codes that open it.
const api = require('../../lib/client.js')
const format = require('../../lib/format.js')

Component({
  data: { code: '', relation: 'owner', relations: format.RELATIONS, busy: false, error: '', bound: null, actionKey: '' },
  methods: {
    onLoad (options) {
      const code = format.sceneCode(options && options.scene) || (options && options.code) || ''
      this.setData({ code })
    },
    onInput (e) {
      this.setData({ code: e.detail.value, actionKey: '' })
    },
    chooseRelation (e) {
      this.setData({ relation: e.currentTarget.dataset.value, actionKey: '' })
    },
    async submit () {
      if (this.data.busy) return
      const code = String(this.data.code || '').trim()
      if (!code) {
        this.setData({ error: '请输入社区工作人员给您的绑定码。' })
        return
      }
      // One key per action: kept when the resident taps again after a failure.
      const key = this.data.actionKey || require('../../lib/api.js').newIdempotencyKey()
      this.setData({ busy: true, error: '', actionKey: key })
      // The relation is always sent: the service makes the first owner or
      // co-owner the household's signer, so it must never be guessed.
      const body = { code, relation: this.data.relation || 'owner' }
      try {
        const h = await api().post('/api/v1/me/bindings', body, { idempotencyKey: key })
        this.setData({ bound: { estateName: h.estate_name, address: format.address(h), isSigner: !!h.is_signer }, actionKey: '' })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    goRounds () {
      wx.redirectTo({ url: '/pages/rounds/rounds' })
    }
  }
})
