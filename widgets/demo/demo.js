// The demo portal's only script (no inline script: the page has a strict CSP). It picks who
// the visitor acts as and points the widgets at the demo-only token endpoint, exactly as a
// real portal points them at its own token endpoint.
import { configure } from '/widgets/schoolhub.js';

const params = new URLSearchParams(location.search);
const as = params.get('as') || localStorage.getItem('schoolhub-demo-as') || 'p-gua-ek-2a';
const lang = params.get('lang') || localStorage.getItem('schoolhub-demo-lang') || 'sv';
localStorage.setItem('schoolhub-demo-as', as);
localStorage.setItem('schoolhub-demo-lang', lang);

document.documentElement.lang = lang;
for (const el of document.querySelectorAll('schoolhub-inbox, schoolhub-chat, schoolhub-feed, schoolhub-unread-badge, schoolhub-development, schoolhub-documentation')) el.setAttribute('lang', lang);

// The development widget shows a student's own overview (to the student and the guardians),
// the documentation widget a child's documentation or a child group's (to the guardians and the
// group's preschool teachers); for anyone else they would only say there is nothing to show.
// So a section is shown to the people named in its data-for and removed for the rest, before
// configure(): a removed widget never connects.
for (const el of document.querySelectorAll('[data-for]')) {
  if (el.dataset.for.split(' ').includes(as)) el.hidden = false;
  else el.remove();
}

const form = document.getElementById('switcher');
form.elements.as.value = as;
form.elements.lang.value = lang;
form.addEventListener('submit', (e) => {
  e.preventDefault();
  // A new person needs a new connection: reload the page as them.
  location.search = new URLSearchParams({ as: form.elements.as.value, lang: form.elements.lang.value }).toString();
});

configure({ tokenUrl: `/demo/token?as=${encodeURIComponent(as)}` });
