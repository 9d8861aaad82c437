import type { Template } from './template';

// A form or survey: a few kinds of questions, answers kept in the browser, and a running summary.

export const FORM: Template = {
  kind: 'form or survey',
  words: { form: 3, survey: 3, feedback: 3, questionnaire: 3, poll: 2, signup: 2, 'sign-up': 2, register: 2, registration: 2, rsvp: 3, contact: 2, quiz: 1, rating: 1 },
  body: (w) => `<form id="survey" class="stack">
      <label>Name<input id="name" name="name" autocomplete="name" required></label>
      <label>Email<input id="email" name="email" type="email" autocomplete="email"></label>
      <fieldset>
        <legend>How would you rate ${w.subject ?? 'it'}?</legend>
        <div class="row" role="radiogroup">
          <label><input type="radio" name="rating" value="1" required> 1</label>
          <label><input type="radio" name="rating" value="2"> 2</label>
          <label><input type="radio" name="rating" value="3"> 3</label>
          <label><input type="radio" name="rating" value="4"> 4</label>
          <label><input type="radio" name="rating" value="5"> 5</label>
        </div>
      </fieldset>
      <label>How did you hear about ${w.subject ?? 'us'}?
        <select id="source" name="source">
          <option>A friend</option>
          <option>Search</option>
          <option>Social media</option>
          <option>Other</option>
        </select>
      </label>
      <label>Anything else?<textarea id="comments" name="comments" rows="3"></textarea></label>
      <button>Send</button>
    </form>
    <p id="thanks" role="status"></p>
    <section aria-label="Answers so far">
      <h2>Answers so far</h2>
      <p id="summary" class="note"></p>
      <ul id="answers"></ul>
    </section>`,
  script: `const KEY = 'app-answers';
const answers = JSON.parse(localStorage.getItem(KEY) || '[]');
const form = document.getElementById('survey');

function render() {
  const list = document.getElementById('answers');
  list.replaceChildren(...answers.slice(0, 20).map((a) => {
    const li = document.createElement('li');
    li.textContent = a.name + ' — ' + a.rating + '/5 (' + a.source + ')' + (a.comments ? ': ' + a.comments : '');
    return li;
  }));
  const summary = document.getElementById('summary');
  if (!answers.length) {
    summary.textContent = 'No answers yet. They are kept in this browser only.';
    return;
  }
  const average = answers.reduce((n, a) => n + Number(a.rating), 0) / answers.length;
  summary.textContent = answers.length + (answers.length === 1 ? ' answer' : ' answers') + ', average rating ' + average.toFixed(1) + ' of 5.';
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(form);
  answers.unshift({
    name: String(data.get('name') || '').trim(),
    email: String(data.get('email') || '').trim(),
    rating: Number(data.get('rating')),
    source: String(data.get('source') || ''),
    comments: String(data.get('comments') || '').trim(),
    at: Date.now(),
  });
  localStorage.setItem(KEY, JSON.stringify(answers));
  document.getElementById('thanks').textContent = 'Thank you, ' + answers[0].name + '.';
  form.reset();
  render();
});

render();
`,
};
