// vclinic review: the little script the pages use. No inline script anywhere (Content-Security-Policy).
// - The login form is sent with fetch, so that a failure is shown on the page (one generic message).
// - The worklist asks for its rows every few seconds in the background (a request marked as background does
//   not hold off the automatic logoff), shows new items without a reload and keeps the count in the title.
(function () {
  'use strict';

  var BACKGROUND = 'X-Vclinic-Background';

  function loginForm(form) {
    var error = document.getElementById('login-error');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      error.hidden = true;
      var button = document.getElementById('login-submit');
      button.disabled = true;
      fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (response) {
        if (response.ok) {
          window.location.assign('/app/');
          return;
        }
        button.disabled = false;
        error.textContent = response.status === 429 || response.status === 503
          ? 'The service is busy. Try again in a moment.'
          : 'Login failed: the clinic, login, password or code is wrong, or the account is locked after too '
            + 'many failed attempts. A code can be used once: wait for the next one.';
        error.hidden = false;
        document.getElementById('totp').value = '';
        document.getElementById('password').focus();
      }, function () {
        button.disabled = false;
        error.textContent = 'The service could not be reached. Try again.';
        error.hidden = false;
      });
    });
  }

  function ids(tbody) {
    var out = {};
    tbody.querySelectorAll('tr[data-id]').forEach(function (row) { out[row.getAttribute('data-id')] = true; });
    return out;
  }

  function worklist(table) {
    var tbody = table.querySelector('tbody');
    var url = table.getAttribute('data-rows') + window.location.search;
    var seconds = Math.max(1, parseInt(table.getAttribute('data-refresh-seconds'), 10) || 15);
    var status = document.getElementById('worklist-status');
    var count = document.getElementById('worklist-count');
    var baseTitle = document.title.replace(/^\(\d+\) /, '');
    var busy = false;

    function refresh() {
      if (busy) {
        return;
      }
      busy = true;
      var headers = { 'Accept': 'text/html' };
      headers[BACKGROUND] = '1';
      fetch(url, { credentials: 'same-origin', headers: headers, cache: 'no-store' }).then(function (response) {
        if (response.status === 401) {
          window.location.assign('/app/login?ended=1');
          return null;
        }
        if (!response.ok) {
          return null;
        }
        var open = response.headers.get('X-Worklist-Open');
        return response.text().then(function (html) { return { html: html, open: open }; });
      }).then(function (result) {
        busy = false;
        if (!result) {
          return;
        }
        var before = ids(tbody);
        tbody.innerHTML = result.html;
        var added = 0;
        tbody.querySelectorAll('tr[data-id]').forEach(function (row) {
          if (!before[row.getAttribute('data-id')]) {
            row.classList.add('new');
            added++;
          }
        });
        if (result.open !== null) {
          document.title = '(' + result.open + ') ' + baseTitle;
          count.textContent = result.open;
        }
        if (added > 0) {
          status.textContent = added === 1 ? '1 new item' : added + ' new items';
        }
      }, function () {
        busy = false;
      });
    }

    window.setInterval(refresh, seconds * 1000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    var form = document.getElementById('login-form');
    if (form) {
      loginForm(form);
    }
    var table = document.getElementById('worklist');
    if (table) {
      worklist(table);
    }
  });
}());
