// Progressive enhancement only: every page works without this script.
import { initAll } from './govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()

const note = document.getElementById('offline-note')

function fetchedAt () {
  const marked = document.querySelector('[data-fetched-at]')
  return marked ? marked.textContent.replace(/^As of /, '') : ''
}

function showConnection () {
  const offline = !navigator.onLine
  if (note) {
    const when = fetchedAt()
    note.textContent = offline
      ? 'You are offline. This is the page as of ' + (when || 'when it was last read') +
        '. Booking, cancelling and other forms need a connection.'
      : ''
    note.hidden = !offline
  }
  for (const form of document.querySelectorAll('[data-needs-connection]')) {
    form.classList.toggle('app-needs-connection', offline)
  }
}

document.addEventListener('submit', (event) => {
  const form = event.target
  if (!navigator.onLine && form.matches('[data-needs-connection]')) {
    event.preventDefault()
    showConnection()
    if (note) note.focus()
  }
  if (form.matches('.app-sign-out') && navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage('signed-out')
  }
})
window.addEventListener('online', showConnection)
window.addEventListener('offline', showConnection)
showConnection()

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => {})
}
