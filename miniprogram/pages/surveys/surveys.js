// 问卷调查: the open surveys of my estates (GET /api/v1/me/surveys), each
// marked when my household has answered; a tap opens 填写问卷.
const api = require('../../lib/client.js')
const format = require('../../lib/format.js')

function toView (s) {
  return {
    id: s.id,
    title: s.title,
    purpose: format.label(format.SURVEY_PURPOSES, s.purpose),
    closesAt: format.beijingTime(s.closes_at),
    questions: (s.questions || []).length,
    answered: (s.my_responses || []).length > 0
  }
}

Component({
  data: { items: [], loading: false, error: '', empty: false },
  methods: {
    onShow () {
      this.load()
    },
    async load () {
      this.setData({ loading: true, error: '' })
      try {
        const res = await api().get('/api/v1/me/surveys')
        const items = (res.items || []).map(toView)
        this.setData({ items, empty: items.length === 0 })
      } catch (e) {
        this.setData({ error: e.message })
      } finally {
        this.setData({ loading: false })
      }
    },
    open (e) {
      wx.navigateTo({ url: '/pages/survey/survey?survey_id=' + e.currentTarget.dataset.id })
    }
  }
})
