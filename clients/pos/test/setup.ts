// IndexedDB for jsdom: a fresh, empty one for every test file
import 'fake-indexeddb/auto';
