// 小区公示: the estate's public notice board (GET /api/v1/public/estates/{code}),
// opened with ?code=, from the notice QR code (q = its URL) or, without
// either, for the estate in config.js. Besides the rounds and answers it shows
// the renovation around the vote (lib/board-lifecycle.js): stages, events,
// site, joint acceptances, problem-report counts and closed surveys.
const api = require('../../lib/client.js')
const format = require('../../lib/format.js')
const config = require('../../config.js')
const { lifecycleView } = require('../../lib/board-lifecycle.js')

// roundView shapes one round of the board. While a round is open its figures
// are those of the last snapshot (as_of), and under 5 households the split is
// hidden (decisions and passed null); once closed, the frozen result with its
// notice period (公示期), finality or voiding.
function roundView (r) {
  const d = r.decisions || null
  const n = x => (x && typeof x.households === 'number' ? x.households : null)
  const open = r.status === 'open'
  const np = format.noticePeriod(r)
  let result = ''
  const voided = !!(np && np.voided) || r.status === 'voided'
  if (!open && !voided && typeof r.passed === 'boolean') result = r.passed ? '通过' : '未通过'
  return {
    id: r.id,
    title: r.title,
    status: format.label(format.ROUND_STATUS, r.status),
    rule: (r.rule && r.rule.description) || '',
    deadline: format.beijingTime(r.closes_at),
    electorate: n(r.electorate),
    participated: n(r.participated),
    split: !!d && n(d.agree) !== null,
    agree: d ? n(d.agree) : null,
    disagree: d ? n(d.disagree) : null,
    abstain: d ? n(d.abstain) : null,
    splitHidden: !!r.split_hidden || (open && !d),
    checks: (r.checks || []).map(c => ({ label: c.label || c.name, actual: c.actual, passed: !!c.passed })),
    result,
    shortfall: open ? format.shortfall(r.shortfall) : '',
    asOf: open ? format.asOf(r.as_of) : '',
    noticeEnds: np && np.endsAt && !np.final && !np.voided ? np.endsAt : '',
    noticeOpen: !!(np && np.open),
    final: !!(np && np.final) || r.status === 'final',
    voided,
    voidedExplanation: (np && np.voidedExplanation) || '',
    closeReason: (np && np.closeReason) || '',
    receipts: (r.counted_receipts || []).length
  }
}

Component({
  data: { code: '', estate: null, revision: null, rounds: [], answers: [], lifecycle: null, loading: false, error: '' },
  methods: {
    onLoad (options) {
      const code = format.noticeCode(options) || config.defaultEstateCode
      this.setData({ code })
      return this.load()
    },
    onPullDownRefresh () {
      this.load().then(() => wx.stopPullDownRefresh())
    },
    async load () {
      this.setData({ loading: true, error: '' })
      try {
        const board = await api().get('/api/v1/public/estates/' + encodeURIComponent(this.data.code), { auth: false })
        const e = board.estate || {}
        const rev = board.current_revision
        this.setData({
          estate: { name: e.name, address: [e.district, e.street, e.community, e.address].filter(Boolean).join(' '), phone: e.contact_phone || '' },
          revision: rev ? { version: rev.version, title: rev.title, summary: rev.summary, changes: rev.changes, at: format.beijingTime(rev.published_at) } : null,
          rounds: (board.rounds || []).map(roundView),
          answers: (board.answers || []).map((a, i) => ({ key: i, category: a.category_label, planItem: a.plan_item, summary: a.public_summary || '',
            outcome: a.outcome_label, explanation: a.explanation })),
          lifecycle: lifecycleView(board)
        })
      } catch (err) {
        this.setData({ error: err.status === 404 ? '没有找到这个小区的公示，请核对二维码或小区代码。' : err.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    verify () {
      wx.navigateTo({ url: '/pages/verify/verify?code=' + this.data.code })
    }
  }
})
