// PSA integration removal: a refused task form is told at the top of that form, in the refusal's own words.
//
// Tasklist shows a refused completion as a notice in the page corner, "An error happened while submitting the task
// form: <sentence>". This module shows the sentence as a banner above the form the person is on (and hides the
// corner notice it replaces); Tasklist drops the banner with the form when the person moves on.
const BANNER = 'psa-refusal';
const SHOWN = 'psa-refusal-shown-on-form';

function showOnForm(sentence) {
  const form = document.querySelector('[cam-tasklist-form-camunda]');
  if (!form || !form.parentElement) {
    return false;
  }
  let banner = form.parentElement.querySelector(':scope > .' + BANNER);
  if (!banner) {
    banner = document.createElement('div');
    banner.className = 'alert alert-danger ' + BANNER;
    banner.setAttribute('role', 'alert');
    form.parentElement.insertBefore(banner, form);
  }
  banner.textContent = '';
  const title = document.createElement('strong');
  title.textContent = 'Not completed: ';
  const text = document.createElement('span');
  text.className = 'message';
  text.textContent = sentence;
  banner.append(title, text);
  banner.scrollIntoView({block: 'nearest'});
  return true;
}

function takeOver(notice) {
  const status = notice.querySelector('.status');
  const message = notice.querySelector('.message');
  const sentence = message ? message.textContent.trim() : '';
  if (!status || !/submitting the task form/i.test(status.textContent) || !sentence) {
    return false;
  }
  if (showOnForm(sentence)) {
    notice.classList.add(SHOWN);
  }
  return true;
}

// Tasklist renders a notice, then fills in its words: look again until they are there.
function whenFilled(notice, tries) {
  if (!takeOver(notice) && tries > 0) {
    setTimeout(() => whenFilled(notice, tries - 1), 25);
  }
}

new MutationObserver(mutations => {
  for (const mutation of mutations) {
    for (const node of mutation.addedNodes) {
      if (!(node instanceof Element)) {
        continue;
      }
      const notices = node.matches('.page-notifications .alert-danger') ? [node]
          : Array.from(node.querySelectorAll('.page-notifications .alert-danger'));
      notices.forEach(notice => whenFilled(notice, 40));
    }
  }
}).observe(document.body, {childList: true, subtree: true});

export default [];
