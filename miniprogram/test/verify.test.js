// 回执核验 against the counted receipts of a closed round.
const { renderPage, waitFor, tap, text } = require('./page-helpers.js')
const { ok, fail } = require('./wx-mock.js')

const board = { rounds: [
  { id: 'R0', title: '意愿征询', status: 'open' },
  { id: 'R1', title: '加装电梯方案征询', status: 'closed', counted_receipts: ['ABCD-EFGH-IJKL-MNOP', 'QRST-UVWX-YZ23-4567'] }
] }

async function openVerify (options) {
  wx.route('GET /api/v1/public/estates/xingfu', () => ok(board))
  const page = renderPage('verify')
  await page.instance.onLoad(options)
  return page
}

test('a counted receipt is confirmed, however it was typed', async () => {
  const page = await openVerify({ code: 'xingfu', round_id: 'R1' })
  expect(page.data.rounds.map(r => r.id)).toEqual(['R1']) // open rounds publish no receipts
  expect(page.data.roundIndex).toBe(0)
  page.instance.onReceipt({ detail: { value: 'abcd efgh ijkl mnop' } })
  await tap(page, '.btn-primary')
  expect(page.querySelector('.ok').dom.textContent).toContain('核验通过')
  expect(wx.calls[0].header.Authorization).toBeUndefined() // public, no login
})

test('a receipt not in the list says what to do', async () => {
  const page = await openVerify({ code: 'xingfu', receipt: encodeURIComponent('ABCD-EFGH-IJKL-MNOQ') })
  await tap(page, '.btn-primary')
  expect(page.data.found).toBe(false)
  expect(text(page)).toContain('请带上回执联系社区工作人员')
})

test('a malformed receipt is refused before checking', async () => {
  const page = await openVerify({ code: 'xingfu', receipt: '1234' })
  await tap(page, '.btn-primary')
  expect(page.querySelector('.error').dom.textContent).toContain('16 位')
  expect(page.data.result).toBe('')
})

test('an unknown estate code is explained', async () => {
  wx.route('GET /api/v1/public/estates/nope', () => fail(404, 'estate_not_found', '小区不存在'))
  const page = renderPage('verify')
  await page.instance.onLoad({ code: 'nope' })
  await waitFor(() => page.data.error !== '')
  expect(page.data.error).toContain('没有找到这个小区')
})
