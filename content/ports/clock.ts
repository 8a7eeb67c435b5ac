/** Where the domain reads the time: the system clock in production, a controlled one in tests (`startLoa({ clock })`). */
export interface Clock {
  now(): Date;
}
