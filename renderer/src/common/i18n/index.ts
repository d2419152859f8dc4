/**
 * User-visible text, in English and French from day one. Keys are typed, so a missing
 * translation is a compile error. Plural forms follow Intl.PluralRules.
 */
const en = {
  'app.name': 'Parley',
  'login.title': 'Sign in to Parley',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.server': 'Server',
  'login.demo': 'Demo accounts',
  'login.demoHint': 'This server runs with demo data. Pick someone to sign in as.',
  'login.unreachable': 'The Parley server at {url} cannot be reached. Check your connection and try again.',
  'role.agent': 'Agent',
  'role.supervisor': 'Supervisor',
  'role.admin': 'Administrator',
  'status.online': 'Online',
  'status.connecting': 'Connecting…',
  'status.catchingUp': 'Catching up…',
  'status.offlineShort': 'Offline',
  'status.offline': 'Offline — showing what was saved on this device. Changes will sync when the connection is back.',
  'status.error': 'Cannot sync',
  'status.lastSync': 'Last synced {time}',
  'status.neverSynced': 'Not synced yet',
  'status.reconnecting': 'Reconnecting…',
  'status.catchingUpProgress': 'Catching up {percent}%',
  'count.newMessages.one': '{count} new message',
  'count.newMessages.other': '{count} new messages',
  'count.conversations.one': '{count} conversation',
  'count.conversations.other': '{count} conversations',
  'arrivals.summary': '{messages} in {conversations}',
  'arrivals.summaryTitle': 'While you were away',
  'arrivals.newMessage': 'New message from {name}',
  'arrivals.newMessageUnnamed': 'New message from a customer',
  'data.unavailable':
    'Parley cannot keep a copy of your inbox on this device ({detail}). Check that this browser allows site data, then reload.',
  'data.resynced':
    'Parley was updated and had to rebuild the copy of your inbox on this device. It is downloading your conversations again; changes waiting to be sent were kept.',
  'data.rebuilt':
    'The copy of your inbox saved on this device could not be opened, so Parley is downloading it again from the server.',
  'data.outboxKept.one': '{count} change waiting to be sent was kept.',
  'data.outboxKept.other': '{count} changes waiting to be sent were kept.',
  'data.outboxLost.one': '{count} change waiting to be sent could not be read and is lost.',
  'data.outboxLost.other': '{count} changes waiting to be sent could not be read and are lost.',
  'data.outboxUnknown': 'Changes that were waiting to be sent could not be read.',
  'data.evicted.one':
    'This device is short of storage, so Parley removed its oldest cached message. It is still on the server and loads again when you scroll back.',
  'data.evicted.other':
    'This device is short of storage, so Parley removed its {count} oldest cached messages. They are still on the server and load again when you scroll back.',
  'inbox.title': 'Conversations',
  'inbox.empty': 'No conversations yet. New customer messages appear here.',
  'inbox.unread': '{count} unread',
  'search.placeholder': 'Search messages, notes and contacts (Ctrl+K)',
  'search.label': 'Search',
  'search.clear': 'Clear search',
  'search.results': 'Search results',
  'search.noResults': 'Nothing on this device matches.',
  'search.note': 'Note:',
  'search.searching': 'Searching…',
  'conversation.unassigned': 'Unassigned',
  'conversation.assignedToMe': 'Assigned to you',
  'conversation.assignedTo': 'Assigned to {name}',
  'conversation.someone': 'another agent',
  'conversation.assignToMe': 'Assign to me',
  'conversation.unassign': 'Put back in the queue',
  'conversation.assignTo': 'Assign to {name}',
  'conversation.status': 'Status',
  'conversation.status.open': 'Open',
  'conversation.status.pending': 'Pending',
  'conversation.status.resolved': 'Resolved',
  'conversation.addLabel': 'Add a label',
  'conversation.removeLabel': 'Remove the label {label}',
  'thread.empty': 'Pick a conversation to read it.',
  'thread.noMessages': 'No messages in this conversation yet.',
  'thread.unsupported': 'This message type cannot be shown yet.',
  'thread.you': 'You',
  'thread.quoteUnavailable': 'The quoted message is not on this device.',
  'mutation.offline':
    'You are offline, so this was not sent. What you wrote is kept: send it again once the connection is back.',
  'mutation.timeout': 'The server did not answer in time. Try again.',
  'mutation.badReply': 'The server answered in a way this app does not understand.',
  'mutation.invalid': 'This cannot be sent: {detail}',
  'window.open': 'Window closes in {time}',
  'window.waClosed':
    '24-hour window closed — send a template to re-open. The window re-opens when the customer replies.',
  'window.humanAgent': 'Standard window closed — replying as human agent until {time}',
  'window.closed': 'Can’t message until the customer writes again',
  'window.noHumanAgent':
    'The 24-hour window is closed and this account may not send human agent replies. Can’t message until the customer writes again.',
  'duration.hoursMinutes': '{hours} h {minutes} min',
  'duration.minutes': '{minutes} min',
  'duration.underMinute': 'less than a minute',
  'composer.label': 'Reply',
  'composer.placeholder': 'Write a reply…',
  'composer.placeholderHumanAgent': 'Reply as a human agent…',
  'composer.placeholderCaption': 'Add a caption…',
  'composer.send': 'Send',
  'composer.attach': 'Attach a file',
  'composer.removeAttachment': 'Remove the attachment',
  'composer.uploading': 'Uploading…',
  'composer.uploadUnreachable': 'The file could not be uploaded: the server cannot be reached.',
  'composer.uploadFailed': 'The file could not be uploaded (the server answered {status}).',
  'composer.replyingTo': 'Replying to {name}',
  'composer.cancelReply': 'Cancel the reply',
  'composer.hint': 'Enter to send · Shift+Enter for a new line',
  'composer.humanAgent': 'Sent with the HUMAN_AGENT tag',
  'template.title': 'Only an approved template can be sent now',
  'template.pick': 'Template',
  'template.none':
    'This account has no approved templates. Create one in WhatsApp Manager: it appears here once Meta approves it.',
  'template.noAccount': 'The account of this conversation is not on this device yet.',
  'template.component.HEADER': 'Header',
  'template.component.BODY': 'Body',
  'template.component.FOOTER': 'Footer',
  'template.component.BUTTONS': 'Button',
  'template.preview': 'Preview',
  'template.send': 'Send template',
  'template.fillAll': 'Fill in every variable to send.',
  'template.meta': '{category} · {language}',
  'message.deleted': 'This message was deleted',
  'message.edited': 'Edited',
  'message.forwarded': 'Forwarded',
  'message.frequentlyForwarded': 'Forwarded many times',
  'message.reply': 'Reply',
  'message.react': 'React with {emoji}',
  'message.reactions': 'Reactions',
  'message.reactionCustomer': '{emoji} from the customer',
  'message.reactionAgent': '{emoji} from your team — click to remove',
  'message.status.pending': 'Sending',
  'message.status.queued': 'Queued',
  'outbox.failed': 'Not sent: {reason}',
  'outbox.retry': 'Retry',
  'outbox.discard': 'Discard',
  'outbox.waiting': 'Waiting to send: {reason}',
  'outbox.change': 'A change to this conversation',
  'outbox.notSaved': 'This could not be saved on this computer: {detail}',
  'message.status.sent': 'Sent',
  'message.status.delivered': 'Delivered',
  'message.status.read': 'Read',
  'message.status.failed': 'Not delivered',
  'message.errorCode': 'Error code {code}',
  'message.failedNoReason': 'The message could not be sent.',
  'message.humanAgent': 'Sent as a human agent reply',
  'message.storyMention': 'Mentioned you in their story',
  'message.storyReply': 'Replied to your story',
  'message.openStory': 'Open the story',
  'message.share': 'Shared a post',
  'message.order': 'Order',
  'message.note': 'Internal note',
  'message.template': 'Template · {name}',
  'message.voice': 'Voice message',
  'message.audio': 'Audio',
  'message.video': 'Video',
  'message.openMap': 'Open in a map',
  'message.website': 'Website',
  'message.location': 'Location',
  'message.sharedContact': 'Contact card',
  'message.openImage': 'Open the full image',
  'message.download': 'Download',
  'message.playVideo': 'Play the video',
  'message.interactive': 'Chose an option',
  'media.pending': 'Getting the file from the platform…',
  'media.expired': 'This file is no longer available: it expired before Parley could copy it.',
  'media.failed': 'The file could not be copied from the platform.',
  'media.loading': 'Loading the file…',
  'media.notFound': 'The file is not on the server.',
  'media.notReady': 'The file is still being copied. Try again in a moment.',
  'media.unreachable': 'The file cannot be loaded: the server cannot be reached.',
  'media.error': 'The file could not be loaded.',
  'media.retry': 'Retry',
  'media.viewer': 'Image',
  'preview.text': 'Message',
  'preview.image': '📷 Photo',
  'preview.audio': '🎵 Audio',
  'preview.voice': '🎤 Voice message',
  'preview.video': '🎥 Video',
  'preview.document': '📄 Document',
  'preview.sticker': 'Sticker',
  'preview.location': '📍 Location',
  'preview.contacts': '👤 Contact card',
  'preview.interactive': 'Chose an option',
  'preview.template': 'Template',
  'preview.story_mention': 'Mentioned you in their story',
  'preview.share': 'Shared a post',
  'preview.system': 'Notice',
  'preview.order': '🛒 Order',
  'preview.note': 'Internal note',
  'preview.unsupported': 'Unsupported message',
  'contact.duplicate': 'Possible duplicate of {name}',
  'contact.merge': 'Merge',
  'contact.mergeTitle': 'Merge these contacts?',
  'contact.mergeBody':
    '“{source}” will be merged into “{target}”: their conversations and identities will appear under “{target}”.',
  'contact.mergeFailed': 'The contacts were not merged: {reason}',
  'common.cancel': 'Cancel',
  'common.close': 'Close',
  'channel.whatsapp': 'WhatsApp',
  'channel.messenger': 'Messenger',
  'channel.instagram': 'Instagram',
  'menu.signOut': 'Sign out',
  'menu.account': 'Account',
} as const;

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  'app.name': 'Parley',
  'login.title': 'Se connecter à Parley',
  'login.email': 'E-mail',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.server': 'Serveur',
  'login.demo': 'Comptes de démonstration',
  'login.demoHint': 'Ce serveur tourne avec des données de démonstration. Choisissez un compte.',
  'login.unreachable': 'Le serveur Parley à {url} est injoignable. Vérifiez votre connexion et réessayez.',
  'role.agent': 'Agent',
  'role.supervisor': 'Superviseur',
  'role.admin': 'Administrateur',
  'status.online': 'En ligne',
  'status.connecting': 'Connexion…',
  'status.catchingUp': 'Rattrapage…',
  'status.offlineShort': 'Hors ligne',
  'status.offline':
    'Hors ligne — affichage des données enregistrées sur cet appareil. Les modifications seront synchronisées au retour de la connexion.',
  'status.error': 'Synchronisation impossible',
  'status.lastSync': 'Dernière synchronisation {time}',
  'status.neverSynced': 'Pas encore synchronisé',
  'status.reconnecting': 'Reconnexion…',
  'status.catchingUpProgress': 'Rattrapage {percent} %',
  'count.newMessages.one': '{count} nouveau message',
  'count.newMessages.other': '{count} nouveaux messages',
  'count.conversations.one': '{count} conversation',
  'count.conversations.other': '{count} conversations',
  'arrivals.summary': '{messages} dans {conversations}',
  'arrivals.summaryTitle': 'Pendant votre absence',
  'arrivals.newMessage': 'Nouveau message de {name}',
  'arrivals.newMessageUnnamed': 'Nouveau message d’un client',
  'data.unavailable':
    'Parley ne peut pas garder de copie de votre boîte sur cet appareil ({detail}). Vérifiez que ce navigateur autorise les données de site, puis rechargez.',
  'data.resynced':
    'Parley a été mis à jour et a dû reconstruire la copie de votre boîte sur cet appareil. Il télécharge à nouveau vos conversations ; les modifications en attente d’envoi ont été conservées.',
  'data.rebuilt':
    'La copie de votre boîte enregistrée sur cet appareil n’a pas pu être ouverte : Parley la télécharge à nouveau depuis le serveur.',
  'data.outboxKept.one': '{count} modification en attente d’envoi a été conservée.',
  'data.outboxKept.other': '{count} modifications en attente d’envoi ont été conservées.',
  'data.outboxLost.one': '{count} modification en attente d’envoi n’a pas pu être lue et est perdue.',
  'data.outboxLost.other': '{count} modifications en attente d’envoi n’ont pas pu être lues et sont perdues.',
  'data.outboxUnknown': 'Les modifications en attente d’envoi n’ont pas pu être lues.',
  'data.evicted.one':
    'Cet appareil manque d’espace : Parley a retiré son plus ancien message en cache. Il reste sur le serveur et revient quand vous remontez le fil.',
  'data.evicted.other':
    'Cet appareil manque d’espace : Parley a retiré ses {count} plus anciens messages en cache. Ils restent sur le serveur et reviennent quand vous remontez le fil.',
  'inbox.title': 'Conversations',
  'inbox.empty': 'Aucune conversation pour l’instant. Les nouveaux messages des clients apparaissent ici.',
  'inbox.unread': '{count} non lus',
  'search.placeholder': 'Rechercher messages, notes et contacts (Ctrl+K)',
  'search.label': 'Rechercher',
  'search.clear': 'Effacer la recherche',
  'search.results': 'Résultats de recherche',
  'search.noResults': 'Rien sur cet appareil ne correspond.',
  'search.note': 'Note :',
  'search.searching': 'Recherche…',
  'conversation.unassigned': 'Non attribuée',
  'conversation.assignedToMe': 'Attribuée à vous',
  'conversation.assignedTo': 'Attribuée à {name}',
  'conversation.someone': 'un autre agent',
  'conversation.assignToMe': 'M’attribuer',
  'conversation.unassign': 'Remettre dans la file',
  'conversation.assignTo': 'Attribuer à {name}',
  'conversation.status': 'Statut',
  'conversation.status.open': 'Ouverte',
  'conversation.status.pending': 'En attente',
  'conversation.status.resolved': 'Résolue',
  'conversation.addLabel': 'Ajouter une étiquette',
  'conversation.removeLabel': 'Retirer l’étiquette {label}',
  'thread.empty': 'Choisissez une conversation pour la lire.',
  'thread.noMessages': 'Aucun message dans cette conversation pour l’instant.',
  'thread.unsupported': 'Ce type de message ne peut pas encore être affiché.',
  'thread.you': 'Vous',
  'thread.quoteUnavailable': 'Le message cité n’est pas sur cet appareil.',
  'mutation.offline':
    'Vous êtes hors ligne : rien n’a été envoyé. Votre texte est conservé ; renvoyez-le quand la connexion sera revenue.',
  'mutation.timeout': 'Le serveur n’a pas répondu à temps. Réessayez.',
  'mutation.badReply': 'Le serveur a répondu d’une façon que cette application ne comprend pas.',
  'mutation.invalid': 'Impossible d’envoyer ceci : {detail}',
  'window.open': 'La fenêtre se ferme dans {time}',
  'window.waClosed':
    'Fenêtre de 24 heures fermée — envoyez un modèle pour la rouvrir. Elle se rouvre quand le client répond.',
  'window.humanAgent': 'Fenêtre standard fermée — réponse en tant qu’agent humain jusqu’au {time}',
  'window.closed': 'Impossible d’écrire tant que le client n’a pas réécrit',
  'window.noHumanAgent':
    'La fenêtre de 24 heures est fermée et ce compte ne peut pas envoyer de réponses d’agent humain. Impossible d’écrire tant que le client n’a pas réécrit.',
  'duration.hoursMinutes': '{hours} h {minutes} min',
  'duration.minutes': '{minutes} min',
  'duration.underMinute': 'moins d’une minute',
  'composer.label': 'Réponse',
  'composer.placeholder': 'Écrire une réponse…',
  'composer.placeholderHumanAgent': 'Répondre en tant qu’agent humain…',
  'composer.placeholderCaption': 'Ajouter une légende…',
  'composer.send': 'Envoyer',
  'composer.attach': 'Joindre un fichier',
  'composer.removeAttachment': 'Retirer la pièce jointe',
  'composer.uploading': 'Envoi du fichier…',
  'composer.uploadUnreachable': 'Le fichier n’a pas pu être envoyé : le serveur est injoignable.',
  'composer.uploadFailed': 'Le fichier n’a pas pu être envoyé (le serveur a répondu {status}).',
  'composer.replyingTo': 'Réponse à {name}',
  'composer.cancelReply': 'Annuler la réponse',
  'composer.hint': 'Entrée pour envoyer · Maj+Entrée pour un retour à la ligne',
  'composer.humanAgent': 'Envoyé avec l’étiquette HUMAN_AGENT',
  'template.title': 'Seul un modèle approuvé peut être envoyé maintenant',
  'template.pick': 'Modèle',
  'template.none':
    'Ce compte n’a aucun modèle approuvé. Créez-en un dans WhatsApp Manager : il apparaîtra ici une fois approuvé par Meta.',
  'template.noAccount': 'Le compte de cette conversation n’est pas encore sur cet appareil.',
  'template.component.HEADER': 'En-tête',
  'template.component.BODY': 'Corps',
  'template.component.FOOTER': 'Pied',
  'template.component.BUTTONS': 'Bouton',
  'template.preview': 'Aperçu',
  'template.send': 'Envoyer le modèle',
  'template.fillAll': 'Remplissez toutes les variables pour envoyer.',
  'template.meta': '{category} · {language}',
  'message.deleted': 'Ce message a été supprimé',
  'message.edited': 'Modifié',
  'message.forwarded': 'Transféré',
  'message.frequentlyForwarded': 'Transféré de nombreuses fois',
  'message.reply': 'Répondre',
  'message.react': 'Réagir avec {emoji}',
  'message.reactions': 'Réactions',
  'message.reactionCustomer': '{emoji} du client',
  'message.reactionAgent': '{emoji} de votre équipe — cliquez pour retirer',
  'message.status.pending': 'Envoi en cours',
  'message.status.queued': 'En attente',
  'outbox.failed': 'Non envoyé : {reason}',
  'outbox.retry': 'Réessayer',
  'outbox.discard': 'Abandonner',
  'outbox.waiting': 'En attente d’envoi : {reason}',
  'outbox.change': 'Une modification de cette conversation',
  'outbox.notSaved': 'Impossible d’enregistrer ceci sur cet ordinateur : {detail}',
  'message.status.sent': 'Envoyé',
  'message.status.delivered': 'Distribué',
  'message.status.read': 'Lu',
  'message.status.failed': 'Non distribué',
  'message.errorCode': 'Code d’erreur {code}',
  'message.failedNoReason': 'Le message n’a pas pu être envoyé.',
  'message.humanAgent': 'Envoyé comme réponse d’agent humain',
  'message.storyMention': 'Vous a mentionné dans sa story',
  'message.storyReply': 'A répondu à votre story',
  'message.openStory': 'Ouvrir la story',
  'message.share': 'A partagé une publication',
  'message.order': 'Commande',
  'message.note': 'Note interne',
  'message.template': 'Modèle · {name}',
  'message.voice': 'Message vocal',
  'message.audio': 'Audio',
  'message.video': 'Vidéo',
  'message.openMap': 'Ouvrir sur une carte',
  'message.website': 'Site web',
  'message.location': 'Position',
  'message.sharedContact': 'Fiche contact',
  'message.openImage': 'Ouvrir l’image en grand',
  'message.download': 'Télécharger',
  'message.playVideo': 'Lire la vidéo',
  'message.interactive': 'A choisi une option',
  'media.pending': 'Récupération du fichier auprès de la plateforme…',
  'media.expired': 'Ce fichier n’est plus disponible : il a expiré avant que Parley puisse le copier.',
  'media.failed': 'Le fichier n’a pas pu être copié depuis la plateforme.',
  'media.loading': 'Chargement du fichier…',
  'media.notFound': 'Le fichier n’est pas sur le serveur.',
  'media.notReady': 'Le fichier est encore en cours de copie. Réessayez dans un instant.',
  'media.unreachable': 'Le fichier ne peut pas être chargé : le serveur est injoignable.',
  'media.error': 'Le fichier n’a pas pu être chargé.',
  'media.retry': 'Réessayer',
  'media.viewer': 'Image',
  'preview.text': 'Message',
  'preview.image': '📷 Photo',
  'preview.audio': '🎵 Audio',
  'preview.voice': '🎤 Message vocal',
  'preview.video': '🎥 Vidéo',
  'preview.document': '📄 Document',
  'preview.sticker': 'Autocollant',
  'preview.location': '📍 Position',
  'preview.contacts': '👤 Fiche contact',
  'preview.interactive': 'A choisi une option',
  'preview.template': 'Modèle',
  'preview.story_mention': 'Vous a mentionné dans sa story',
  'preview.share': 'A partagé une publication',
  'preview.system': 'Avis',
  'preview.order': '🛒 Commande',
  'preview.note': 'Note interne',
  'preview.unsupported': 'Message non pris en charge',
  'contact.duplicate': 'Doublon possible de {name}',
  'contact.merge': 'Fusionner',
  'contact.mergeTitle': 'Fusionner ces contacts ?',
  'contact.mergeBody':
    '« {source} » sera fusionné dans « {target} » : ses conversations et identités apparaîtront sous « {target} ».',
  'contact.mergeFailed': 'Les contacts n’ont pas été fusionnés : {reason}',
  'common.cancel': 'Annuler',
  'common.close': 'Fermer',
  'channel.whatsapp': 'WhatsApp',
  'channel.messenger': 'Messenger',
  'channel.instagram': 'Instagram',
  'menu.signOut': 'Se déconnecter',
  'menu.account': 'Compte',
};

const dictionaries = { en, fr } as const;
export type Locale = keyof typeof dictionaries;

export function pickLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const base = language.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

export const locale: Locale = pickLocale(typeof navigator === 'undefined' ? [] : navigator.languages);

export function t(key: MessageKey, values: Record<string, string | number> = {}, lang: Locale = locale): string {
  const template: string = dictionaries[lang][key];
  return template.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = values[name];
    return value === undefined ? match : String(value);
  });
}

/** Keys that come in plural forms: `base.one`, `base.other`. */
type PluralBase = {
  [K in MessageKey]: K extends `${infer Base}.one` ? (`${Base}.other` extends MessageKey ? Base : never) : never;
}[MessageKey];

/** A count in words, in the form Intl.PluralRules picks for the language ("1 new message"). */
export function tn(
  base: PluralBase,
  count: number,
  values: Record<string, string | number> = {},
  lang: Locale = locale,
): string {
  const form = new Intl.PluralRules(lang).select(count) === 'one' ? 'one' : 'other';
  const formatted = new Intl.NumberFormat(lang).format(count);
  return t(`${base}.${form}`, { ...values, count: formatted }, lang);
}

const timeFormat = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });

/** A time for a list: "14:05" today, "3 Nov" before. */
export function shortTime(ms: number, now: number = Date.now()): string {
  const date = new Date(ms);
  return new Date(now).toDateString() === date.toDateString() ? timeFormat.format(date) : dayFormat.format(date);
}

const dayTimeFormat = new Intl.DateTimeFormat(locale, {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});

/** A message's time: "14:05" today, "3 Nov, 14:05" before. */
export function messageTime(ms: number, now: number = Date.now()): string {
  const date = new Date(ms);
  return new Date(now).toDateString() === date.toDateString() ? timeFormat.format(date) : dayTimeFormat.format(date);
}

/** A moment in the coming days: "Tue 14 Jun, 14:05". */
export function dateTime(ms: number, lang: Locale = locale, timeZone?: string): string {
  return new Intl.DateTimeFormat(lang, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(new Date(ms));
}

/** A time left, to the minute: "3 h 12 min", "45 min", "less than a minute". */
export function duration(ms: number, lang: Locale = locale): string {
  const totalMinutes = Math.floor(Math.max(0, ms) / 60_000);
  if (totalMinutes < 1) return t('duration.underMinute', {}, lang);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return hours === 0 ? t('duration.minutes', { minutes }, lang) : t('duration.hoursMinutes', { hours, minutes }, lang);
}

/** A file size as people read it: "840 KB", "2.4 MB". */
export function fileSize(bytes: number, lang: Locale = locale): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return new Intl.NumberFormat(lang, {
    style: 'unit',
    unit: units[unit],
    unitDisplay: unit === 0 ? 'long' : 'short',
    maximumFractionDigits: unit <= 1 ? 0 : 1,
  }).format(value);
}
