// Words and times as residents read them.
const format = require('../lib/format.js')

test('asOf shows the snapshot time as 截至 HH:MM in Beijing time, with the date when not today', () => {
  const now = Date.parse('2026-11-30T06:00:00Z') // 14:00 in Beijing
  expect(format.asOf('2026-11-30T02:05:00Z', now)).toBe('截至 10:05')
  expect(format.asOf('2026-11-29T15:59:00Z', now)).toBe('截至 11月29日 23:59')
  expect(format.asOf('2026-11-29T16:00:00Z', now)).toBe('截至 00:00') // midnight in Beijing is today
  expect(format.asOf('', now)).toBe('')
  expect(format.asOf('not a time', now)).toBe('')
})

test('noticePeriod reads the board\'s notice period: open until its end, unless final or voided', () => {
  const now = Date.parse('2026-12-01T00:00:00Z')
  expect(format.noticePeriod({ status: 'open' }, now)).toBeNull()
  const open = format.noticePeriod({ status: 'closed', notice_period: { ends_at: '2026-12-08T10:00:00Z', final: false, voided: false } }, now)
  expect(open).toEqual({ endsAt: '2026年12月8日 18:00', open: true, final: false, voided: false, voidedExplanation: '', closeReason: '' })
  const ended = format.noticePeriod({ status: 'closed', notice_period: { ends_at: '2026-11-30T10:00:00Z', final: false, voided: false } }, now)
  expect(ended.open).toBe(false)
  const voided = format.noticePeriod({ status: 'voided', notice_period: { ends_at: '2026-12-08T10:00:00Z', final: false, voided: true, voided_explanation: '计票有误' } }, now)
  expect(voided.open).toBe(false)
  expect(voided.voidedExplanation).toBe('计票有误')
  expect(format.noticePeriod({ status: 'closed', notice_period: { ends_at: null, final: false, voided: false } }, now).open).toBe(false)
})

test('shortfall says how far an open round is from passing', () => {
  expect(format.shortfall(null)).toBe('')
  expect(format.shortfall({ agree_households_needed: 3, possible: true })).toBe('按目前统计，还差 3 户同意即可通过。')
  expect(format.shortfall({ agree_households_needed: 0, possible: true })).toBe('按目前统计，已达到通过条件。')
  expect(format.shortfall({ agree_households_needed: null, possible: false, changes_needed: 2 })).toContain('还需要 2 户把不同意或弃权改为同意')
  expect(format.shortfall({ agree_households_needed: null, possible: false, changes_needed: null })).toBe('按目前统计，本轮已不能通过。')
})
