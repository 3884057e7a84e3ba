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

  const offerUpdate = (worker) => {
    if (document.getElementById('update-banner')) return;
    const banner = document.createElement('div');
    banner.id = 'update-banner';
    banner.className = 'update-banner';
    banner.setAttribute('role', 'status');
    const text = document.createElement('span');
    text.textContent = 'Доступна новая версия приложения. Всё введённое сохранено.';
    const now = document.createElement('button');
    now.type = 'button';
    now.textContent = 'Обновить';
    now.addEventListener('click', () => {
      updating = true;
      worker.postMessage('skipWaiting');
    });
    const later = document.createElement('button');
    later.type = 'button';
    later.className = 'button-secondary';
    later.textContent = 'Позже';
    later.addEventListener('click', () => banner.remove());
    banner.append(text, now, later);
    document.body.append(banner);
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
