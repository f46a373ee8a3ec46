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
// The portal's own words follow the language too, not only the widgets': English from the
// data-en / data-en-label attributes (always as text, never as HTML).
if (lang === 'en') {
  for (const el of document.querySelectorAll('[data-en]')) el.textContent = el.dataset.en;
  for (const el of document.querySelectorAll('[data-en-label]')) el.setAttribute('aria-label', el.dataset.enLabel);
}
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

// On a phone the menu folds behind a button (the breakpoint is demo.css's); a chosen link closes it.
const menuButton = document.querySelector('.menu-button');
const narrow = matchMedia('(max-width: 50em)');
const setMenu = (open) => {
  menuButton.setAttribute('aria-expanded', String(open));
  // A class for "closed", not "open": without this script the menu simply stays open.
  document.body.classList.toggle('menu-closed', !open);
};
const fold = () => {
  menuButton.hidden = !narrow.matches;
  setMenu(!narrow.matches);
};
fold();
narrow.addEventListener('change', fold);
menuButton.addEventListener('click', () => setMenu(menuButton.getAttribute('aria-expanded') !== 'true'));
document.getElementById('menu').addEventListener('click', (e) => {
  if (narrow.matches && e.target.closest('a')) setMenu(false);
});

// On a phone the chat sits below the list: show a conversation where the person tapped it
// open, not below the fold.
document.querySelector('schoolhub-inbox').addEventListener('schoolhub-open', () => {
  if (narrow.matches) requestAnimationFrame(() => document.getElementById('conversation').scrollIntoView({ block: 'start' }));
});

configure({ tokenUrl: `/demo/token?as=${encodeURIComponent(as)}` });
