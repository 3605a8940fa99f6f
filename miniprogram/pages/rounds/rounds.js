// 我的征询: the rounds of my households with the plan being consulted on, what
// changed in its current revision, the rule in words, the count as the notice
// board shows it, my household's decision and its history, and the deadline.
const api = require('../../lib/client.js')
const { newIdempotencyKey } = require('../../lib/api.js')
const format = require('../../lib/format.js')

// boardFigures finds a round on its estate's public board. An open round's
// figures are a snapshot (as_of) and may leave the split out (split_hidden:
// decisions and passed null); a closed one carries its notice period.
function boardFigures (board, roundID) {
  const r = boardRound(board, roundID)
  if (!r) return null
  const open = r.status === 'open'
  return {
    participated: r.participated ? r.participated.households : 0,
    electorate: r.electorate ? r.electorate.households : 0,
    agree: r.decisions && r.decisions.agree ? r.decisions.agree.households : null,
    checks: (r.checks || []).map(c => ({ label: c.label || c.name, actual: c.actual, passed: !!c.passed })),
    splitHidden: !!r.split_hidden,
    shortfall: open ? format.shortfall(r.shortfall) : '',
    result: !open && typeof r.passed === 'boolean' ? (r.passed ? '通过' : '未通过') : '',
    asOf: open ? format.asOf(r.as_of || (board && board.computed_at)) : ''
  }
}

// voidedFigures drops the result of a voided round: it no longer counts.
function voidedFigures (figures, status) {
  return figures && status === 'voided' ? Object.assign({}, figures, { result: '' }) : figures
}

function boardRound (board, roundID) {
  return ((board && board.rounds) || []).find(x => x.id === roundID) || null
}

// toView shapes one item of GET /me/rounds for the page.
function toView (item, board, myHousehold) {
  const r = item.round
  const rev = board && board.current_revision
  const d = item.my_decision && item.my_decision.decision !== 'withdrawn' ? item.my_decision : null
  const np = format.noticePeriod(boardRound(board, r.id))
  const status = (np && np.voided) ? 'voided' : (np && np.final) ? 'final' : r.status
  // After closes_at the round stays open a while for paper records dated
  // before it, but nobody can sign online any more (409 round_past_deadline).
  const pastDeadline = r.status === 'open' && !!r.closes_at && Date.parse(r.closes_at) <= Date.now()
  return {
    key: r.id + '/' + item.household.id,
    roundID: r.id,
    householdID: item.household.id,
    estateID: r.estate_id,
    estateCode: (board && board.estate && board.estate.code) || '',
    title: r.title,
    estateName: r.estate_name,
    address: format.address(item.household),
    status: format.label(format.ROUND_STATUS, status),
    closed: r.status !== 'open' && r.status !== 'draft',
    canSign: !!item.can_sign && !pastDeadline,
    pastDeadline,
    // An open round I may not sign: say who signs for the household.
    notSigner: r.status === 'open' && !pastDeadline && !item.can_sign && !!myHousehold && !myHousehold.is_signer,
    noticeEnds: np && !np.final && !np.voided ? np.endsAt : '',
    canObjectToResult: !!(np && np.open),
    voidedExplanation: (np && np.voided && np.voidedExplanation) || '',
    rule: r.rule_text,
    deadline: format.beijingTime(r.closes_at),
    revision: item.revision ? { version: item.revision.version, title: item.revision.title, summary: item.revision.summary,
      changes: rev && rev.version === item.revision.version ? rev.changes : '' } : null,
    figures: voidedFigures(boardFigures(board, r.id), status),
    decision: d ? { text: format.label(format.DECISIONS, d.decision), at: format.beijingTime(d.recorded_at),
      channel: format.label(format.CHANNELS, d.channel), receipt: d.receipt || '' } : null,
    history: (item.history || []).map(h => ({
      version: h.version,
      text: (h.old_decision ? format.label(format.DECISIONS, h.old_decision) + ' → ' : '') +
        (h.new_decision ? format.label(format.DECISIONS, h.new_decision) : '撤回'),
      by: format.label(format.RECORDED_BY, h.recorded_by),
      at: format.beijingTime(h.recorded_at)
    }))
  }
}

Component({
  data: { items: [], loading: false, busy: false, error: '', empty: false },
  methods: {
    onShow () {
      this.load()
    },
    async load () {
      this.setData({ loading: true, error: '' })
      try {
        const client = api()
        const [rounds, me] = await Promise.all([client.get('/api/v1/me/rounds'), client.get('/api/v1/me')])
        const codes = {}
        const mine = {}
        for (const h of (me.resident && me.resident.households) || []) {
          codes[h.estate_id] = h.estate_code
          mine[h.id] = h
        }
        const boards = {}
        for (const estateID of Object.keys(codes)) {
          try {
            boards[estateID] = await client.get('/api/v1/public/estates/' + encodeURIComponent(codes[estateID]), { auth: false })
          } catch (e) {
            boards[estateID] = null // the count is missing, the rest still shows
          }
        }
        const items = (rounds.items || []).map(it => toView(it, boards[it.round.estate_id], mine[it.household.id]))
        this.setData({ items, empty: items.length === 0 })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    sign (e) {
      const it = this.data.items[e.currentTarget.dataset.index]
      wx.navigateTo({ url: '/pages/sign/sign?round_id=' + it.roundID + '&household_id=' + it.householdID })
    },
    object (e) {
      const it = this.data.items[e.currentTarget.dataset.index]
      wx.navigateTo({ url: '/pages/objection/objection?estate_id=' + it.estateID + '&round_id=' + it.roundID + '&household_id=' + it.householdID })
    },
    verify (e) {
      const it = this.data.items[e.currentTarget.dataset.index]
      wx.navigateTo({ url: '/pages/verify/verify?code=' + it.estateCode + '&round_id=' + it.roundID +
        '&receipt=' + encodeURIComponent(it.decision ? it.decision.receipt : '') })
    },
    // withdraw takes my household's decision back while the round is open
    // (DELETE my-signoff), after an explicit confirmation dialog.
    withdraw (e) {
      const it = this.data.items[e.currentTarget.dataset.index]
      wx.showModal({
        title: '撤回表态',
        content: '确定撤回本户对“' + it.title + '”的表态吗？撤回后本户算作未表态，截止前可以重新表态。',
        confirmText: '确定撤回',
        cancelText: '不撤回',
        success: res => { if (res.confirm) this.doWithdraw(it) }
      })
    },
    async doWithdraw (it) {
      if (this.data.busy) return
      this.withdrawKeys = this.withdrawKeys || {}
      const key = this.withdrawKeys[it.key] || newIdempotencyKey()
      this.withdrawKeys[it.key] = key
      this.setData({ busy: true, error: '' })
      try {
        await api().del('/api/v1/rounds/' + encodeURIComponent(it.roundID) + '/my-signoff?household_id=' + encodeURIComponent(it.householdID), { idempotencyKey: key })
        delete this.withdrawKeys[it.key]
        await this.load()
      } catch (err) {
        this.setData({ error: err.message })
      } finally {
        this.setData({ busy: false })
      }
    },
    // objectToResult opens 对结果有异议 for a closed round in its notice period.
    objectToResult (e) {
      const it = this.data.items[e.currentTarget.dataset.index]
      wx.navigateTo({ url: '/pages/result-objection/result-objection?round_id=' + it.roundID + '&household_id=' + it.householdID +
        '&title=' + encodeURIComponent(it.title) + '&ends=' + encodeURIComponent(it.noticeEnds) })
    },
    bind () {
      wx.navigateTo({ url: '/pages/bind/bind' })
    }
  }
})
