// 回执核验: once a round is closed, the notice board publishes the receipts
// of every counted decision (counted_receipts); a resident checks that the
// receipt shown at sign-off is among them. The receipt says nothing about the
// decision to anyone else, so the check is public.
const api = require('../../lib/client.js')
const format = require('../../lib/format.js')

Component({
  data: { code: '', rounds: [], roundIndex: -1, receipt: '', result: '', found: false, busy: false, error: '' },
  methods: {
    async onLoad (options) {
      options = options || {}
      this.setData({ code: options.code || '', receipt: options.receipt ? decodeURIComponent(options.receipt) : '' })
      this.wantedRound = options.round_id || ''
      if (this.data.code) await this.loadBoard()
    },
    onCode (e) { this.setData({ code: e.detail.value.trim(), rounds: [], roundIndex: -1, result: '' }) },
    onReceipt (e) { this.setData({ receipt: e.detail.value, result: '' }) },
    chooseRound (e) { this.setData({ roundIndex: Number(e.currentTarget.dataset.index), result: '' }) },
    async loadBoard () {
      this.setData({ busy: true, error: '' })
      try {
        const board = await api().get('/api/v1/public/estates/' + encodeURIComponent(this.data.code), { auth: false })
        this.board = board
        const rounds = (board.rounds || []).filter(r => r.status !== 'draft' && r.status !== 'open').map(r => ({
          id: r.id, title: r.title, status: format.label(format.ROUND_STATUS, r.status), receipts: r.counted_receipts || []
        }))
        const roundIndex = Math.max(rounds.findIndex(r => r.id === this.wantedRound), rounds.length === 1 ? 0 : -1)
        this.setData({ rounds, roundIndex })
        if (!rounds.length) this.setData({ error: '这个小区还没有结束的征询。征询结束后才公布回执，请到时再来核验。' })
      } catch (e) {
        this.setData({ error: e.status === 404 ? '没有找到这个小区，请核对小区代码。' : e.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    check () {
      const receipt = format.normalizeReceipt(this.data.receipt)
      if (!receipt) return this.setData({ error: '回执是 16 位字母和数字，形如 ABCD-EFGH-IJKL-MNOP，请核对后重新输入。', result: '' })
      const round = this.data.rounds[this.data.roundIndex]
      if (!round) return this.setData({ error: '请先选择要核验的征询。', result: '' })
      const found = round.receipts.includes(receipt)
      this.setData({
        error: '',
        found,
        receipt,
        result: found
          ? '核验通过：回执 ' + receipt + ' 在“' + round.title + '”计入的表态中。'
          : '没有找到回执 ' + receipt + '。请核对回执是否抄错；如果确认无误，请带上回执联系社区工作人员或街道办。'
      })
    }
  }
})
