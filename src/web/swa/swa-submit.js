// Signs the user in to an app with vaulted credentials: posts the launch page's form at once.
// Without script the page's own Continue button posts the same form.
'use strict';
const form = document.getElementById('swa-launch');
if (form) form.submit();
