import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';

// the service worker keeps the app itself on the till, so a reload without a network still opens it
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  navigator.serviceWorker
    .register(`${import.meta.env.BASE_URL}sw.js`)
    .catch((error: unknown) => console.warn('service worker not registered', error));
}

mount(App, { target: document.getElementById('app')! });
