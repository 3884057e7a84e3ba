// Starts the app and registers the service worker that keeps it available offline.
// A new version is offered to the user, never forced in the middle of their work.
import init from './app.js';

const started = init({ module_or_path: new URL('app_bg.wasm', import.meta.url) });
started.catch((error) => {
  console.error(error);
  const boot = document.getElementById('boot') || document.body.appendChild(document.createElement('p'));
  boot.className = 'boot boot-error';
  boot.setAttribute('role', 'alert');
  boot.textContent = 'Не удалось запустить приложение. Обновите страницу; если ошибка повторяется, ' +
    'возможно, браузер слишком старый — используйте свежую версию Chrome, Яндекс Браузера или Firefox.';
});

if ('serviceWorker' in navigator) {
  let updating = false;

  // The build this page runs (its modules live under `/assets/<build>/`).
  const pageBuild = new URL(import.meta.url).pathname.split('/')[2];
  // The build a waiting worker would bring; null when it does not say within two seconds.
  const buildOf = (worker) => new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(null), 2000);
    channel.port1.onmessage = (event) => {
      clearTimeout(timer);
      resolve(typeof event.data === 'string' ? event.data : null);
    };
    worker.postMessage('build', [channel.port2]);
  });

  // Only a worker of another build is a new version: the browser may install a worker of the
  // same build again (when it could not compare the worker's file with the one it keeps), and
  // offering it would ask people to reload for nothing, over the form they are filling.
  const offerUpdate = async (worker) => {
    if (document.getElementById('update-banner')) return;
    if ((await buildOf(worker)) === pageBuild) return;
    if (document.getElementById('update-banner') || worker.state === 'redundant') return;
    const banner = document.createElement('div');
    banner.id = 'update-banner';
    banner.className = 'update-banner';
    banner.setAttribute('role', 'status');
    const text = document.createElement('span');
    text.textContent = 'Доступна новая версия приложения. Всё введённое сохранено.';
    const now = document.createElement('button');
    now.type = 'button';
    now.textContent = 'Обновить';
    now.addEventListener('click', async () => {
      updating = true;
      // The version waiting now, which may be newer than the one the banner was made for.
      const registration = await navigator.serviceWorker.getRegistration();
      const waiting = (registration && registration.waiting) || (worker.state === 'installed' ? worker : null);
      if (waiting) {
        waiting.postMessage('skipWaiting');
      } else {
        // Another tab already put the new version in charge: loading the page again takes it.
        window.location.reload();
      }
    });
    const later = document.createElement('button');
    later.type = 'button';
    later.className = 'button-secondary';
    later.textContent = 'Позже';
    later.addEventListener('click', () => {
      banner.remove();
      document.body.classList.remove('has-update-banner');
    });
    banner.append(text, now, later);
    document.body.append(banner);
    document.body.classList.add('has-update-banner');
  };

  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updating) window.location.reload();
  });

  // Registered once the app runs: the worker's copy of the shell then comes from the HTTP
  // cache instead of a second download competing with the first on a slow link.
  started.then(() => navigator.serviceWorker.register('/sw.js')).then((registration) => {
    if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker);
      });
    });
    setInterval(() => registration.update().catch(() => {}), 30 * 60 * 1000);
  }).catch((error) => console.warn('service worker not registered', error));
}
