// luasock live view: polls /events and draws what changed. Everything a
// peer sent is shown with textContent (never as HTML): its bytes are the
// peer's to choose.
'use strict';
(function () {
  const token = new URLSearchParams(location.search).get('token') || '';
  const POLL_MS = 300;       // between two polls while luasock answers
  const RETRY_MS = 2000;     // after a poll failed
  const KEPT_EVENTS = 4096;  // as the view's ring (RingSize)
  const DRAWN = 400;         // events drawn in the picture
  const COL = 210, LEFT = 150, ROW = 28, HEAD = 44;
  const SVG = 'http://www.w3.org/2000/svg';

  const st = {
    seq: 0, lastNum: 0, lost: 0, events: [], conns: new Map(), tasks: new Map(),
    hidden: [0, 0], paused: false, missed: 0, chosen: 0,
  };

  function url(path, params) {
    return path + '?' + new URLSearchParams(Object.assign({ token: token }, params)).toString();
  }

  // el makes an element; strings among the children become text nodes.
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof Node ? c : String(c));
    return e;
  }
  function svg(tag, attrs, text) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function setStatus(text, cls) {
    const s = document.getElementById('status');
    s.textContent = text;
    s.className = 'status ' + cls;
  }

  // bytesOf decodes the base64 the view sends bytes in.
  function bytesOf(b64) {
    const s = atob(b64 || '');
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }

  // printable shows bytes as escaped text: \n, \r, \t, \xNN.
  function printable(bytes, limit) {
    let s = '';
    for (let i = 0; i < bytes.length && s.length < limit; i++) {
      const b = bytes[i];
      if (b === 10) s += '\\n';
      else if (b === 13) s += '\\r';
      else if (b === 9) s += '\\t';
      else if (b === 92) s += '\\\\';
      else if (b >= 32 && b < 127) s += String.fromCharCode(b);
      else s += '\\x' + b.toString(16).padStart(2, '0');
    }
    return s;
  }

  function hexdump(bytes) {
    const lines = [];
    for (let off = 0; off < bytes.length; off += 16) {
      const row = bytes.slice(off, off + 16);
      let hex = '', asc = '';
      for (let i = 0; i < 16; i++) {
        hex += i < row.length ? row[i].toString(16).padStart(2, '0') + ' ' : '   ';
        if (i === 7) hex += ' ';
        if (i < row.length) asc += row[i] >= 32 && row[i] < 127 ? String.fromCharCode(row[i]) : '.';
      }
      lines.push(off.toString(16).padStart(4, '0') + '  ' + hex + ' |' + asc + '|');
    }
    return lines.join('\n');
  }

  function base(path) { // the file's name; the whole path is the title
    const i = (path || '').lastIndexOf('/');
    return i < 0 ? path || '' : path.slice(i + 1);
  }
  function worker(w) { return w ? ' (worker ' + w + ')' : ''; }

  function poll() {
    fetch(url('/events', { since: st.seq }), { cache: 'no-store' })
      .then((r) => {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then((b) => {
        apply(b);
        if (!st.paused) setStatus('live', 'live');
        setTimeout(poll, POLL_MS);
      })
      .catch((err) => {
        setStatus('luasock does not answer (the run ended?): ' + err.message, 'down');
        setTimeout(poll, RETRY_MS);
      });
  }

  function apply(b) {
    if (b.full) { st.conns.clear(); st.tasks.clear(); }
    for (const c of b.conns || []) st.conns.set(c.key, c);
    for (const t of b.tasks || []) st.tasks.set(t.key, t);
    for (const e of b.events || []) {
      if (st.lastNum && e.i > st.lastNum + 1) st.lost += e.i - st.lastNum - 1;
      st.lastNum = e.i;
      st.events.push(e);
    }
    if (st.events.length > KEPT_EVENTS) st.events.splice(0, st.events.length - KEPT_EVENTS);
    st.hidden = b.hidden || [0, 0];
    const changed = b.full || (b.events || []).length || (b.conns || []).length || (b.tasks || []).length;
    st.seq = b.seq;
    if (!changed) return;
    drawTables();
    if (st.paused) {
      st.missed += (b.events || []).length;
      setStatus('picture paused: ' + st.missed + ' new events not drawn', 'paused');
    } else {
      drawPicture();
    }
  }

  function nameCell(c) {
    const td = el('td', {});
    if (c.name) td.append(el('strong', {}, c.name));
    if (c.note) td.append(el('span', { class: 'note' }, (c.name ? ' ' : '') + c.note));
    if (c.tls) td.append(el('span', { class: 'note' }, ' TLS ' + c.tls));
    return td;
  }

  function drawTables() {
    const all = Array.from(st.conns.values()).sort((a, b) => a.first - b.first);
    const servers = all.filter((c) => c.k === 'server' || c.state === 'bound');
    const conns = all.filter((c) => !servers.includes(c));
    fill('servers', servers.map((c) => {
      const tr = el('tr', { 'data-key': c.key, class: c.state.startsWith('closed') ? 'done' : '' },
        el('td', { class: 'mono' }, c.l + worker(c.w)), el('td', {}, c.tr));
      tr.append(nameCell(c), el('td', { class: 'num' }, c.in), el('td', { class: 'num' }, c.out), el('td', {}, c.state));
      return tr;
    }));
    fill('conns', conns.map((c) => {
      const tr = el('tr', { 'data-key': c.key, 'data-peer': c.p || '', class: c.state.startsWith('closed') ? 'done' : '' },
        el('td', { class: 'mono' }, (c.p || '—') + worker(c.w)));
      tr.append(nameCell(c), el('td', { class: 'mono' }, c.l || ''), el('td', {}, c.tr + (c.dg ? ' peer' : '')),
        el('td', { class: 'num' }, c.in), el('td', { class: 'num' }, c.out),
        el('td', { class: /reset|failed/.test(c.state) ? 'bad' : '' }, c.state));
      return tr;
    }));
    document.getElementById('conns-hidden').textContent =
      st.hidden[0] ? st.hidden[0] + ' more not listed (the table is full of open ones)' : '';
    const tasks = Array.from(st.tasks.values()).sort((a, b) => (a.w - b.w) || (a.id - b.id));
    fill('tasks', tasks.map((t) => {
      const tr = el('tr', {
        'data-key': t.key, 'data-state': t.state, 'data-wait': t.wait || '', 'data-at': t.at || '',
        class: t.state === 'ended' ? 'done' : '',
      });
      tr.append(
        el('td', {}, (t.main ? 'main #' + t.id : 'task #' + t.id) + worker(t.w)),
        el('td', { class: 'state-' + t.state }, t.state + (t.err ? ': ' + t.err : '')),
        el('td', {}, t.state === 'waiting' ? t.wait || '' : ''),
        el('td', { class: 'mono' }, t.call || ''),
        el('td', { class: 'mono', title: t.at || '' }, base(t.at)),
        el('td', { class: 'mono', title: t.fn || '' }, base(t.fn)));
      return tr;
    }));
    document.getElementById('tasks-hidden').textContent =
      st.hidden[1] ? st.hidden[1] + ' more not listed' : '';
  }

  function fill(id, rows) {
    const body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren(...rows);
  }

  // party is the column an event's arrow goes to: its connection, or the
  // datagram peer of an unconnected socket; null: drawn on the script's line.
  function handle(e) { return (e.w || 0) + '/' + e.s; }
  function party(e) {
    const key = handle(e);
    if (e.a && e.p) return key + '/' + e.p;
    if (e.k === 'server' || !e.p) return null;
    return key;
  }
  function partyLabel(key) {
    const c = st.conns.get(key);
    if (!c) return key;
    return (c.name || c.p || c.l || key) + worker(c.w);
  }

  // label says what an event carried: its size and first bytes, or its kind.
  function label(e) {
    switch (e.op) {
      case 'send': case 'recv': case 'drop': {
        if (e.eof) return 'end of stream';
        const pv = bytesOf(e.pv);
        const more = e.n > pv.length ? '…' : '';
        return (e.op === 'drop' ? 'lost: ' : '') + e.n + ' B "' + printable(pv, 36) + more + '"' + (e.peek ? ' (peek)' : '');
      }
      case 'shutdown': return 'shutdown ' + (e.how || '');
      case 'close': return e.unread ? 'close: reset, ' + e.unread + ' B unread' : 'close';
      case 'tls': return 'TLS ' + (e.note || '');
      default: return e.op;
    }
  }

  function drawPicture() {
    const shown = st.events.filter((e) => e.op !== 'note' && e.op !== 'name').slice(-DRAWN);
    // the notes that name each handle's next message
    const notes = new Map();
    const noteOf = new Map();
    for (const e of st.events) {
      const h = handle(e);
      if (e.op === 'note') notes.set(h, e.note);
      else if ((e.op === 'send' || e.op === 'recv') && notes.has(h)) {
        noteOf.set(e.q, notes.get(h));
        notes.delete(h);
      }
    }
    const cols = [];
    for (const e of shown) {
      const p = party(e);
      if (p && !cols.includes(p)) cols.push(p);
    }
    const width = LEFT + COL * Math.max(cols.length, 1) + 60;
    const height = shown.length * ROW + 20;
    const x = (p) => (p === null ? LEFT - 90 : LEFT + COL * (cols.indexOf(p) + 1) - 60);

    const heads = svg('svg', { width: width, height: HEAD, class: 'heads' });
    heads.append(svg('text', { x: x(null), y: 18, 'text-anchor': 'middle', class: 'head' }, 'this script'));
    cols.forEach((p) => {
      heads.append(svg('text', { x: x(p), y: 18, 'text-anchor': 'middle', class: 'head' }, partyLabel(p)));
      const c = st.conns.get(p);
      if (c) heads.append(svg('text', { x: x(p), y: 34, 'text-anchor': 'middle', class: 'sub' }, c.tr + ' ' + c.state));
    });
    document.getElementById('heads').replaceChildren(heads);

    const pic = svg('svg', { width: width, height: height });
    const defs = svg('defs');
    for (const [id, color] of [['recv', '#1f6fb2'], ['send', '#2e7d32'], ['ctl', '#6b6b66'], ['bad', '#c62828']]) {
      const m = svg('marker', { id: 'arrow-' + id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' });
      m.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: color }));
      defs.append(m);
    }
    pic.append(defs);
    for (const p of [null, ...cols]) pic.append(svg('line', { x1: x(p), y1: 0, x2: x(p), y2: height, class: 'life' }));
    shown.forEach((e, i) => {
      const y = i * ROW + 20;
      const hit = svg('rect', { x: 0, y: y - ROW + 8, width: width, height: ROW, class: e.q === st.chosen ? 'hit chosen' : 'hit' });
      hit.addEventListener('click', () => showMessage(e));
      pic.append(hit);
      pic.append(svg('text', { x: 4, y: y, class: 'when' }, (e.t / 1000).toFixed(3) + (e.w ? ' w' + e.w : '')));
      const p = party(e);
      const note = noteOf.get(e.q);
      let text = label(e);
      if (note) text = '[' + note + '] ' + text;
      if (e.err) text = e.op + ' failed: ' + e.err;
      if (p === null) { // an event of the script's own: a box on its line
        const t = e.err ? text : e.op + ' ' + (e.tr || '') + ' ' + (e.l || '');
        pic.append(svg('rect', { x: x(null) - 4, y: y - 15, width: 8 + t.length * 7.3, height: 20, class: 'notebox' }));
        pic.append(svg('text', { x: x(null) + 2, y: y, class: e.err ? 'bad' : '' }, t));
        return;
      }
      let from = x(null), to = x(p), cls = 'send';
      if (e.op === 'recv' || e.op === 'accept') { from = x(p); to = x(null); cls = 'recv'; }
      if (e.op === 'accept' || e.op === 'connect' || e.op === 'close' || e.op === 'shutdown' || e.op === 'tls' || e.eof) cls = 'ctl';
      if (e.err || e.op === 'drop' || e.unread) cls = 'bad';
      pic.append(svg('line', { x1: from, y1: y + 4, x2: to, y2: y + 4, class: 'msg ' + cls, 'marker-end': 'url(#arrow-' + cls + ')' }));
      pic.append(svg('text', { x: Math.min(from, to) + 8, y: y - 2, class: cls === 'bad' ? 'bad' : '', 'data-q': e.q }, text));
    });
    const box = document.getElementById('picture');
    box.replaceChildren(pic);
    box.scrollTop = box.scrollHeight;
    document.getElementById('lost').textContent = st.lost ? st.lost + ' earlier events were not kept.' : '';
  }

  function showMessage(e) {
    st.chosen = e.q;
    const title = document.getElementById('message-title');
    const dump = document.getElementById('message-dump');
    document.getElementById('message').hidden = false;
    title.textContent = '#' + e.i + ' ' + e.op + ' ' + (e.op === 'send' ? 'to ' : 'from ') + (e.p || e.l || '') + worker(e.w) +
      (e.n ? ': ' + e.n + ' bytes' : '');
    dump.textContent = '…';
    if (!e.n) { dump.textContent = label(e); return; }
    fetch(url('/bytes', { q: e.q }), { cache: 'no-store' })
      .then((r) => r.json())
      .then((m) => {
        if (m.gone) { dump.textContent = 'no longer kept (the view keeps the last ' + KEPT_EVENTS + ' events)'; return; }
        const bytes = bytesOf(m.data);
        dump.textContent = hexdump(bytes) + (m.n > bytes.length ? '\n… ' + (m.n - bytes.length) + ' more bytes not kept' : '');
      })
      .catch((err) => { dump.textContent = 'luasock does not answer: ' + err.message; });
    if (!st.paused) drawPicture();
  }

  document.getElementById('pause').addEventListener('click', (ev) => {
    st.paused = !st.paused;
    ev.target.textContent = st.paused ? 'Resume the picture' : 'Pause the picture';
    if (st.paused) {
      st.missed = 0;
      setStatus('picture paused', 'paused');
    } else {
      setStatus('live', 'live');
      drawPicture();
    }
  });

  poll();
})();
