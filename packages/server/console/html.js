// htm bound to preact's createElement: tagged-template JSX without a build step.
import { h } from 'preact';
import htm from 'htm';

/** Renders `html\`<div>...</div>\`` into preact elements. */
export const html = htm.bind(h);
