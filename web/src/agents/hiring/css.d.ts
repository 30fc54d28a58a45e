// Lets TypeScript read the wing's side-effect stylesheet import (Vite bundles it into the dashboard's CSS).
declare module '*.css';
