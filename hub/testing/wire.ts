// The fields of the hub's answers and events that several test files read; each file
// extends them with what it looks at besides.

export interface WireConversation {
  id: string;
  participants: { id: string; name: string }[];
}

export interface WireMessage {
  id: string;
  seq: number;
  body: string;
  senderId: string | null;
}
