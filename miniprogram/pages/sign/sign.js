// 表态: choose agree / disagree / abstain, add an optional comment, confirm,
// then see the receipt (copyable). One Idempotency-Key per confirmed choice:
// a retry after a lost answer reuses it, so the service records one sign-off.
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

const CHOICES = [
  { value: 'agree', label: '同意' },
  { value: 'disagree', label: '不同意' },
  { value: 'abstain', label: '弃权' }
]

Component({
  data: {
    roundID: '', householdID: '', title: '', address: '', deadline: '', rule: '',
    choices: CHOICES, decision: '', decisionText: '', comment: '',
    step: 'choose', // choose → confirm → done
    busy: false, error: '', receipt: '', recordedAt: '', commentStatus: '', actionKey: '', copied: false
  },
  methods: {
    async onLoad (options) {
      this.setData({ roundID: options.round_id || '', householdID: options.household_id || '' })
      try {
        const rounds = await api().get('/api/v1/me/rounds')
        const it = (rounds.items || []).find(x => x.round.id === this.data.roundID &&
          (!this.data.householdID || x.household.id === this.data.householdID))
        if (it) {
          this.setData({ title: it.round.title, address: it.round.estate_name + ' ' + format.address(it.household),
            deadline: format.beijingTime(it.round.closes_at), rule: it.round.rule_text, householdID: it.household.id })
        }
      } catch (e) {
        this.setData({ error: e.message })
      }
    },
    choose (e) {
      const value = e.currentTarget.dataset.value
      this.setData({ decision: value, decisionText: format.label(format.DECISIONS, value), error: '', actionKey: '' })
    },
    onComment (e) {
      this.setData({ comment: e.detail.value, actionKey: '' })
    },
    review () {
      if (!this.data.decision) {
        this.setData({ error: '请先选择“同意”“不同意”或“弃权”。' })
        return
      }
      this.setData({ step: 'confirm', error: '' })
    },
    back () {
      this.setData({ step: 'choose', error: '' })
    },
    async submit () {
      if (this.data.busy) return // no double sign-off from a double tap
      const key = this.data.actionKey || newIdempotencyKey()
      this.setData({ busy: true, error: '', actionKey: key })
      const body = { decision: this.data.decision }
      if (this.data.householdID) body.household_id = this.data.householdID
      const comment = String(this.data.comment || '').trim()
      if (comment) body.comment = comment
      try {
        const res = await api().put('/api/v1/rounds/' + encodeURIComponent(this.data.roundID) + '/my-signoff', body, { idempotencyKey: key })
        this.setData({ step: 'done', receipt: res.receipt || '', recordedAt: format.beijingTime(res.recorded_at),
          commentStatus: res.comment_status || '' })
      } catch (e) {
        // Keep the key: tapping 确认提交 again retries the same action.
        this.setData({ error: e.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    copyReceipt () {
      wx.setClipboardData({
        data: this.data.receipt,
        success: () => this.setData({ copied: true })
      })
    },
    finish () {
      wx.navigateBack({ delta: 1 })
    }
  }
})
