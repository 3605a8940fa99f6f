// 订阅提醒: WeChat lets the service send one message per acceptance, so the
// resident accepts in wx.requestSubscribeMessage (the tap is needed) and we
// tell the service what was accepted (PUT /api/v1/me/subscriptions).
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const config = require('../../config.js')

const KINDS = [
  { kind: 'round_opened', label: '征询开始' },
  { kind: 'deadline_reminder', label: '截止前提醒' },
  { kind: 'result_published', label: '结果公布' },
  { kind: 'objection_answered', label: '意见已答复' }
]

Component({
  data: { kinds: KINDS.map(k => Object.assign({ remaining: null }, k)), busy: false, error: '', message: '' },
  methods: {
    onShow () {
      this.loadCounts()
    },
    async loadCounts () {
      try {
        const res = await api().get('/api/v1/me/subscriptions')
        const counts = (res && (res.remaining || res)) || {}
        this.setData({ kinds: KINDS.map(k => Object.assign({ remaining: typeof counts[k.kind] === 'number' ? counts[k.kind] : null }, k)) })
      } catch (e) {
        // The counts are a courtesy; subscribing still works without them.
      }
    },
    subscribe () {
      if (this.data.busy) return
      const tmplIds = KINDS.map(k => config.templates[k.kind])
      this.setData({ busy: true, error: '', message: '' })
      wx.requestSubscribeMessage({
        tmplIds,
        success: res => this.record(res),
        fail: () => this.setData({ busy: false, error: '没能打开订阅提示。请在微信“设置 → 通知”里允许本小程序发送通知后再试。' })
      })
    },
    async record (res) {
      const accepted = KINDS.filter(k => res && res[config.templates[k.kind]] === 'accept').map(k => k.kind)
      if (!accepted.length) {
        this.setData({ busy: false, message: '您没有选择接收提醒。需要时可以再点一次。' })
        return
      }
      const key = this.pendingKey || newIdempotencyKey()
      this.pendingKey = key
      try {
        await api().put('/api/v1/me/subscriptions', { accepted }, { idempotencyKey: key })
        this.pendingKey = ''
        const names = KINDS.filter(k => accepted.includes(k.kind)).map(k => k.label).join('、')
        this.setData({ message: '已开启：' + names + '。每次同意可收到一条提醒，用完后可再来点一次。' })
        await this.loadCounts()
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ busy: false })
      }
    }
  }
})
