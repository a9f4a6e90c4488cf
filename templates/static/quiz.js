// Quiz pages, enhanced: every answer is saved the moment it changes (and
// retried until the server confirms it), the countdown follows the server's
// clock, and leaving a page waits for pending saves. Without this script
// the pages still work: each "next" saves the page's answers.
(function () {
  "use strict";

  var bar = document.getElementById("quiz-bar");
  if (!bar) return;
  var attemptId = bar.dataset.attempt;
  var apiToken = bar.dataset.apiToken || "";
  var resultUrl = "/attempts/" + attemptId + "/result";
  var form = document.getElementById("quiz-form");
  var saveBanner = document.getElementById("save-banner");
  var timeBanner = document.getElementById("time-banner");

  // ---- countdown -------------------------------------------------------
  // The phone's clock may be wrong by minutes: only the difference between
  // the server's clock and ours is trusted, measured when the page arrived.
  var deadline = Date.parse(bar.dataset.deadline);
  var offset = Date.parse(bar.dataset.serverTime) - Date.now();
  var countdown = document.getElementById("countdown");
  var warned = {};
  var finishing = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function showTime(message) {
    if (!timeBanner) return;
    timeBanner.textContent = message;
    timeBanner.hidden = false;
  }

  function tick() {
    var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    if (countdown) {
      countdown.textContent = "· sisa " + (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(s);
      countdown.classList.toggle("low", left <= 300);
    }
    if (left <= 300 && left > 60 && !warned.five) {
      warned.five = true;
      showTime("Sisa waktu 5 menit. Periksa jawaban Anda.");
    }
    if (left <= 60 && left > 0 && !warned.one) {
      warned.one = true;
      showTime("Sisa waktu 1 menit! Jawaban tersimpan otomatis.");
    }
    if (left === 0 && !finishing) {
      finishing = true;
      showTime("Waktu habis. Jawaban Anda sedang dinilai…");
      if (form) {
        form.querySelectorAll("input, select, textarea, button").forEach(function (el) { el.disabled = true; });
      }
      // The server keeps taking answers for a few seconds after the
      // deadline (slow networks); it grades once that grace is over.
      var afterGrace = Math.max(0, deadline + 6000 - (Date.now() + offset));
      var leave = function () { setTimeout(function () { window.location.href = resultUrl; }, afterGrace); };
      (form ? flush() : Promise.resolve()).then(leave, leave);
    }
  }
  if (!isNaN(deadline)) {
    tick();
    setInterval(tick, 1000);
  }

  if (!form) return;

  // ---- autosave ----------------------------------------------------------
  var lastSeq = 0;
  var pending = {};   // question id → {response, seq}, not yet confirmed
  var inFlight = {};  // question id → true while a request is out
  var retryDelay = 1000;
  var retryTimer = null;

  function nextSeq() {
    lastSeq = Math.max(lastSeq + 1, Date.now());
    return lastSeq;
  }

  function box(qid) {
    return form.querySelector('fieldset[data-question="' + qid + '"]');
  }

  function setState(qid, text, kind) {
    var el = box(qid) && box(qid).querySelector(".save-state");
    if (!el) return;
    el.textContent = text;
    el.className = "save-state" + (kind ? " " + kind : "");
  }

  // The numbers the server reads (see numbers::read):
  // "62", "1,5", "1.234,5", "-0.5", "2e3"; never "0x10" or "Infinity".
  function parseNumber(text) {
    var t = text.replace(/\s+/g, "");
    if (t.indexOf(",") >= 0) t = t.replace(/\./g, "").replace(",", ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
    var n = Number(t);
    return isFinite(n) ? n : null;
  }

  // The response a question's fields say, or null when there is nothing to save.
  function responseOf(fieldset) {
    var qid = fieldset.dataset.question;
    var type = fieldset.dataset.type;
    var name = "a-" + qid;
    if (type === "multichoice" || type === "truefalse") {
      var picked = [];
      fieldset.querySelectorAll('input[name="' + name + '"]').forEach(function (input) {
        if (input.checked) picked.push(input.value);
      });
      return { choices: picked };
    }
    if (type === "cloze") {
      // One entry per blank, in the text's order; a blank left alone is {}.
      var blanks = [];
      var wrong = null;
      fieldset.querySelectorAll("[data-blank]").forEach(function (el) {
        var i = Number(el.dataset.blank) - 1;
        if (!(i >= 0)) return;
        while (blanks.length <= i) blanks.push({});
        if (el.type === "radio" || el.type === "checkbox") {
          var picked = blanks[i].choices || [];
          if (el.checked) picked.push(el.value);
          blanks[i] = { choices: picked };
        } else if (el.tagName === "SELECT") {
          blanks[i] = { choices: el.value ? [el.value] : [] };
        } else {
          if (el.classList.contains("number") && el.value.trim() !== "" && parseNumber(el.value) === null) {
            wrong = el.dataset.blank;
          }
          blanks[i] = { text: el.value };
        }
      });
      if (wrong !== null) {
        setState(qid, "bagian " + wrong + " bukan angka (contoh: 62 atau 1,5)", "failed");
        return null;
      }
      return { blanks: blanks };
    }
    if (type === "matching") {
      var matches = {};
      fieldset.querySelectorAll("select[data-item]").forEach(function (select) {
        if (select.value) matches[select.dataset.item] = select.value;
      });
      return { matches: matches };
    }
    var field = fieldset.querySelector('[name="' + name + '"]');
    if (!field) return null;
    if (type === "numerical") {
      if (field.value.trim() === "") return null;
      var n = parseNumber(field.value);
      if (n === null) { setState(qid, "bukan angka (contoh: 62 atau 1,5)", "failed"); return null; }
      return { number: n };
    }
    return { text: field.value };
  }

  function answered(response) {
    if (!response) return false;
    if (response.choices) return response.choices.length > 0;
    if (response.matches) return Object.keys(response.matches).length > 0;
    if (response.blanks) {
      return response.blanks.some(function (b) {
        return (b.text && b.text.trim() !== "") || (b.choices && b.choices.length > 0);
      });
    }
    if (response.text !== undefined) return response.text.trim() !== "";
    return response.number !== undefined;
  }

  function markNav(qid, response) {
    var link = document.querySelector('[data-nav="' + qid + '"]');
    if (link) link.classList.toggle("answered", answered(response));
  }

  function unsaved() { return Object.keys(pending).length > 0; }

  function updateBanner(failed) {
    if (saveBanner) saveBanner.hidden = !(failed && unsaved());
  }

  // Saves a question's newest answer; one request per question at a time
  // (later changes wait for it), the server's sequence check does the rest.
  function send(qid) {
    if (inFlight[qid]) {
      return inFlight[qid].then(function () { return send(qid); });
    }
    var entry = pending[qid];
    if (!entry) return Promise.resolve();
    setState(qid, "menyimpan…", "pending");
    var request = fetch("/api/v1/attempts/" + attemptId + "/answers/" + qid, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": apiToken },
      body: JSON.stringify({ response: entry.response, seq: entry.seq })
    }).then(function (res) {
      if (res.ok) {
        if (pending[qid] === entry) delete pending[qid];
        // Server time in WIB (UTC+7), like the countdown; never the phone's clock or zone.
        var at = new Date(Date.now() + offset + 7 * 3600 * 1000);
        setState(qid, "tersimpan " + pad(at.getUTCHours()) + "." + pad(at.getUTCMinutes()) + "." + pad(at.getUTCSeconds()) + " WIB", "");
        retryDelay = 1000;
        updateBanner(false);
        return;
      }
      return res.json().catch(function () { return {}; }).then(function (body) {
        var error = (body && body.error) || {};
        if (res.status === 409 && error.code === "attempt_closed") {
          delete pending[qid];
          finishing = true;
          window.location.href = resultUrl;
          return;
        }
        if (res.status === 422 || res.status === 404) {
          // The answer itself is wrong: retrying cannot help.
          if (pending[qid] === entry) delete pending[qid];
          var detail = error.details && error.details[0] ? error.details[0].message : error.message;
          setState(qid, "tidak tersimpan: " + (detail || "jawaban tidak sah"), "failed");
          return;
        }
        if (res.status === 401) {
          showTime("Sesi Anda berakhir. Masuk lagi, lalu buka kuis ini: jawaban yang sudah tersimpan tetap ada.");
        }
        throw new Error("HTTP " + res.status);
      });
    }).then(function () {
      inFlight[qid] = null;
      if (pending[qid]) return send(qid);
    }, function (err) {
      inFlight[qid] = null;
      setState(qid, "belum tersimpan", "failed");
      updateBanner(true);
      scheduleRetry();
      throw err;
    });
    // Whoever waits on this request re-checks `pending` afterwards.
    inFlight[qid] = request.catch(function () {});
    return request;
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () {
      retryTimer = null;
      retryDelay = Math.min(retryDelay * 2, 10000);
      flush().catch(function () {});
    }, retryDelay);
  }

  // Sends everything not yet confirmed; resolves once all of it is saved.
  function flush() {
    var sends = Object.keys(pending).map(function (qid) { return send(qid); });
    return Promise.all(sends).then(function () {
      if (unsaved()) return Promise.reject(new Error("still unsaved"));
    });
  }

  var typing = {};
  function changed(fieldset, debounce) {
    var qid = fieldset.dataset.question;
    var response = responseOf(fieldset);
    if (response === null) return;
    markNav(qid, response);
    pending[qid] = { response: response, seq: nextSeq() };
    clearTimeout(typing[qid]);
    if (debounce) {
      setState(qid, "belum tersimpan", "pending");
      typing[qid] = setTimeout(function () { send(qid).catch(function () {}); }, 700);
    } else {
      send(qid).catch(function () {});
    }
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset) changed(fieldset, false);
  });
  form.addEventListener("input", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (fieldset && (event.target.tagName === "TEXTAREA" || event.target.type === "text" || !event.target.type)) {
      changed(fieldset, true);
    }
  });

  // Leaving the page: only once every answer is confirmed. Then a plain
  // GET of the next page is enough; the answers are already stored.
  var page = Number(form.querySelector('input[name="page"]').value);
  var pages = Number(form.dataset.pages || "0");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var go = event.submitter ? event.submitter.value : "next";
    var base = "/attempts/" + attemptId;
    var target = go === "previous" ? base + "?page=" + Math.max(1, page - 1)
      : go === "next" && page < pages ? base + "?page=" + (page + 1)
      : base + "/summary";
    Object.values(typing).forEach(clearTimeout);
    flush().then(function () { window.location.href = target; },
                 function () { updateBanner(true); });
  });
  document.querySelectorAll("[data-nav]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (!unsaved()) return;
      event.preventDefault();
      flush().then(function () { window.location.href = link.href; },
                   function () { updateBanner(true); });
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (unsaved() && !finishing) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
  window.addEventListener("online", function () { flush().catch(function () {}); });
})();
